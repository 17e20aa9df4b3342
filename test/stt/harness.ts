// Shared setup for the speech-to-text tests: flite speech (a missing flite is a
// failure that says how to install it), word error rate, and a pocketsphinx
// provider behind the real TranscribeService over HTTP/2.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { distance } from "fastest-levenshtein";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { PocketsphinxProvider, type PocketsphinxOptions } from "../../server/providers/stt/pocketsphinx.js";
import { buildStack, serveOverGrpc, type ConfigInit, type TranscribeClient } from "../transcribe/harness.js";

export const SENTENCES = [
  "The weather today is sunny and warm.",
  "Please call me back when you get home.",
  "We will meet at the office next week.",
];
export const FLITE_TEXT = SENTENCES.join(" ");
export const JFK_WAV = new URL("../../../shared/audio/jfk.wav", import.meta.url).pathname;
export const JFK_TEXT = "And so my fellow Americans ask not what your country can do for you ask what you can do for your country";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "hoosh-stt-")); // holds one WAV at a time, each removed once read

/** Speaks `text` with flite's 16 kHz voice; throws (never skips) when flite is missing. */
export async function fliteWav(text = FLITE_TEXT): Promise<Buffer> {
  const out = join(dir, `flite-${text.length}-${Date.now()}.wav`);
  try {
    await run("flite", ["-voice", "kal16", "-t", text, "-o", out]);
  } catch (err) {
    throw new Error(`flite could not make test speech (${(err as Error).message}); run scripts/install-system-deps.sh as root to install flite and pocketsphinx`);
  }
  const wav = readFileSync(out);
  rmSync(out, { force: true });
  return wav;
}

export const jfkWav = (): Buffer | undefined => (existsSync(JFK_WAV) ? readFileSync(JFK_WAV) : undefined);

const words = (s: string) => s.toLowerCase().replace(/[^a-z' ]+/g, " ").split(/\s+/).filter(Boolean);

/** Word accuracy = 1 - WER, WER = word-level edit distance / reference words. */
export function wordAccuracy(reference: string, hypothesis: string): number {
  const vocab = new Map<string, string>();
  const code = (w: string) => vocab.get(w) ?? (vocab.set(w, String.fromCharCode(0x4e00 + vocab.size)), vocab.get(w)!);
  const ref = words(reference).map(code).join("");
  const hyp = words(hypothesis).map(code).join("");
  return 1 - distance(ref, hyp) / ref.length;
}

/** Splits PCM/WAV bytes into 100 ms chunks of `bytesPerSecond`. */
export function chunks100ms(bytes: Buffer, bytesPerSecond: number): Buffer[] {
  const size = Math.round(bytesPerSecond / 10);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

export interface StreamResult {
  partials: { text: string; at: number }[];
  final?: { text: string; durationSeconds: number; segments: number; provider: string | undefined };
  lastChunkSentAt: number;
}

/** Sends config then the chunks (with `paceMs` between them) on TranscribeStream, collecting events with their arrival times. */
export async function streamTranscribe(client: TranscribeClient, config: ConfigInit, audio: Buffer[], paceMs = 20, signal?: AbortSignal): Promise<StreamResult> {
  const result: StreamResult = { partials: [], lastChunkSentAt: Infinity };
  async function* requests() {
    yield { payload: { case: "config" as const, value: config } };
    for (const value of audio) {
      if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs));
      yield { payload: { case: "audio" as const, value } };
    }
    result.lastChunkSentAt = performance.now();
  }
  for await (const res of client.transcribeStream(requests(), { signal })) {
    if (res.event.case === "partial") result.partials.push({ text: res.event.value.text, at: performance.now() });
    if (res.event.case === "final") {
      const f = res.event.value;
      result.final = { text: f.text, durationSeconds: f.durationSeconds, segments: f.segments.length, provider: f.usage?.provider };
    }
  }
  return result;
}

export const wavConfig = (extra: Partial<ConfigInit> = {}): ConfigInit => ({ model: "pocketsphinx-en", encoding: AudioEncoding.WAV, language: "en", ...extra }) as ConfigInit;

/** A pocketsphinx provider behind TranscribeService on a real HTTP/2 socket (gRPC protocol). */
export async function serveSphinx(opts: Partial<PocketsphinxOptions> = {}, limits?: { maxAudioBytes: number }) {
  const provider = new PocketsphinxProvider({ name: "sphinx", models: ["pocketsphinx-en"], ...opts });
  const stack = buildStack("http://127.0.0.1:1", { providers: () => [provider], limits });
  const wire = await serveOverGrpc(stack);
  return {
    provider,
    client: wire.client,
    async close() {
      await wire.close();
      await provider.close();
      await stack.close();
    },
  };
}
