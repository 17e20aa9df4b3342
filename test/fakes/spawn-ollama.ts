// Starts the fake Ollama (test/fakes/ollama-upstream.ts) as its own process.
import { fileURLToPath } from "node:url";
import type { FakeOllamaEvent } from "./ollama/events.js";
import { startProcess, type StartedProcess } from "./spawn.js";

export type { FakeOllamaClientClosedEvent, FakeOllamaEvent, FakeOllamaRequestEvent } from "./ollama/events.js";

export interface FakeOllama extends StartedProcess {
  /** "http://127.0.0.1:PORT" — Ollama's base URL is the server root (no /v1). */
  baseUrl: string;
  events(): Promise<FakeOllamaEvent[]>;
  reset(): Promise<void>;
  /** Polls events() until one matches (default timeout 3 s). */
  waitForEvent(match: (e: FakeOllamaEvent) => boolean, timeoutMs?: number): Promise<FakeOllamaEvent>;
}

export interface FakeOllamaStartOptions {
  port?: number;
  apiKey?: string;
  slowMs?: number;
}

export const FAKE_OLLAMA_SCRIPT = fileURLToPath(new URL("./ollama-upstream.ts", import.meta.url));

export async function startFakeOllama(opts: FakeOllamaStartOptions = {}): Promise<FakeOllama> {
  const args = ["--exit-with-parent", "--port", String(opts.port ?? 0)];
  if (opts.apiKey !== undefined) args.push("--api-key", opts.apiKey);
  if (opts.slowMs !== undefined) args.push("--slow-ms", String(opts.slowMs));
  const proc = await startProcess(FAKE_OLLAMA_SCRIPT, args);

  const events = async (): Promise<FakeOllamaEvent[]> => {
    const res = await fetch(`${proc.url}/_fake/events`);
    return (await res.json()) as FakeOllamaEvent[];
  };
  return {
    ...proc,
    baseUrl: proc.url,
    events,
    async reset() {
      await (await fetch(`${proc.url}/_fake/reset`, { method: "POST" })).arrayBuffer();
    },
    async waitForEvent(match, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await events()).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`fake-ollama: no matching event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
