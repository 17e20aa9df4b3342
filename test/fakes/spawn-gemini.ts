// Starts the fake Gemini upstream as its own process (see gemini-upstream.ts).
import { fileURLToPath } from "node:url";
import type { FakeGeminiEvent } from "./gemini/events.js";
import { startProcess, type StartedProcess } from "./spawn.js";

export type { FakeGeminiClosedEvent, FakeGeminiEvent, FakeGeminiRequestEvent } from "./gemini/events.js";

export interface FakeGemini extends StartedProcess {
  /** "http://127.0.0.1:PORT/v1beta" — pass as the Gemini base URL. */
  baseUrl: string;
  events(): Promise<FakeGeminiEvent[]>;
  reset(): Promise<void>;
  /** Polls events() until one matches (default timeout 3 s). */
  waitForEvent(match: (e: FakeGeminiEvent) => boolean, timeoutMs?: number): Promise<FakeGeminiEvent>;
}

export interface FakeGeminiStartOptions {
  port?: number;
  apiKey?: string;
  slowMs?: number;
}

export const FAKE_GEMINI_SCRIPT = fileURLToPath(new URL("./gemini-upstream.ts", import.meta.url));

export async function startFakeGemini(opts: FakeGeminiStartOptions = {}): Promise<FakeGemini> {
  const args = ["--exit-with-parent", "--port", String(opts.port ?? 0)];
  if (opts.apiKey !== undefined) args.push("--api-key", opts.apiKey);
  if (opts.slowMs !== undefined) args.push("--slow-ms", String(opts.slowMs));
  const proc = await startProcess(FAKE_GEMINI_SCRIPT, args);

  const events = async (): Promise<FakeGeminiEvent[]> => {
    const res = await fetch(`${proc.url}/_fake/events`);
    return (await res.json()) as FakeGeminiEvent[];
  };
  return {
    ...proc,
    baseUrl: `${proc.url}/v1beta`,
    events,
    async reset() {
      await (await fetch(`${proc.url}/_fake/reset`, { method: "POST" })).arrayBuffer();
    },
    async waitForEvent(match, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await events()).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`fake-gemini: no matching event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
