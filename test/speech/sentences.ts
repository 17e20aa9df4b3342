// Ten sentences written for the speech round-trip tests (none of them in a README), and word
// accuracy as speech recognition is scored: 1 - word error rate, the word-level edit distance
// between reference and hypothesis over the reference's length, after normalising case,
// punctuation and number words.
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

const NUMBERS: Record<string, string> = { "7": "seven", "2": "two", "1": "one", "12": "twelve" };

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .split(/\s+/)
    .filter((w) => w !== "")
    .map((w) => NUMBERS[w] ?? w);
}

/** 1 - WER of `hypothesis` against `reference` (0 when nothing matches; never below 0). */
export function wordAccuracy(reference: string, hypothesis: string): number {
  const ref = words(reference);
  const hyp = words(hypothesis);
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return Math.max(0, 1 - prev[hyp.length]! / ref.length);
}

/** Accuracy over several sentences: total errors over total reference words. */
export function corpusAccuracy(pairs: { reference: string; hypothesis: string }[]): number {
  let errors = 0;
  let total = 0;
  for (const { reference, hypothesis } of pairs) {
    const n = words(reference).length;
    errors += (1 - wordAccuracy(reference, hypothesis)) * n;
    total += n;
  }
  return 1 - errors / total;
}
