// Ten sentences written for the speech round-trip tests (none of them in a README), and word
// accuracy over several of them (test/stt/harness.ts scores one: 1 - word error rate).
import { wordAccuracy } from "../stt/harness.js";

export { wordAccuracy };

export const SENTENCES = [
  "The ferry to the island leaves every morning at seven.",
  "Please bring a warm coat because the mountain gets cold at night.",
  "My sister planted tomatoes and carrots in the small garden behind the house.",
  "The library closes early on Sunday, so return your books before noon.",
  "A gentle rain fell on the roof while the children were reading.",
  "He fixed the old bicycle with a new chain and two bright lights.",
  "We watched the sunset from the bridge and talked about the summer.",
  "The baker sold fresh bread and sweet rolls to the people in line.",
  "Turn left at the next corner and you will see the blue post office.",
  "The doctor asked the patient to drink more water and rest for a week.",
];

/** Accuracy over several sentences: their word errors over all their reference words. */
export function corpusAccuracy(pairs: { reference: string; hypothesis: string }[]): number {
  let errors = 0;
  let total = 0;
  for (const { reference, hypothesis } of pairs) {
    const n = reference.split(/\s+/).filter(Boolean).length;
    errors += (1 - wordAccuracy(reference, hypothesis)) * n;
    total += n;
  }
  return 1 - errors / total;
}
