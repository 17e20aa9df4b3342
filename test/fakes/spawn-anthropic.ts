// Starts the fake Anthropic upstream (test/fakes/anthropic-upstream.ts) as its own process.
import { fileURLToPath } from "node:url";
import type { FakeAnthropicEvent } from "./anthropic/events.js";
import { startProcess, type StartedProcess } from "./spawn.js";

export type { FakeAnthropicClosedEvent, FakeAnthropicEvent, FakeAnthropicRequestEvent } from "./anthropic/events.js";

export interface FakeAnthropic extends StartedProcess {
  /** "http://127.0.0.1:PORT/v1" — pass as the Anthropic base URL. */
  baseUrl: string;
  events(): Promise<FakeAnthropicEvent[]>;
  reset(): Promise<void>;
  /** Polls events() until one matches (default timeout 3 s). */
  waitForEvent(match: (e: FakeAnthropicEvent) => boolean, timeoutMs?: number): Promise<FakeAnthropicEvent>;
}

export interface FakeAnthropicStartOptions {
  port?: number;
  apiKey?: string;
  slowMs?: number;
}

export const FAKE_ANTHROPIC_SCRIPT = fileURLToPath(new URL("./anthropic-upstream.ts", import.meta.url));

export async function startFakeAnthropic(opts: FakeAnthropicStartOptions = {}): Promise<FakeAnthropic> {
  const args = ["--exit-with-parent", "--port", String(opts.port ?? 0)];
  if (opts.apiKey !== undefined) args.push("--api-key", opts.apiKey);
  if (opts.slowMs !== undefined) args.push("--slow-ms", String(opts.slowMs));
  const proc = await startProcess(FAKE_ANTHROPIC_SCRIPT, args);

  const events = async (): Promise<FakeAnthropicEvent[]> => {
    const res = await fetch(`${proc.url}/_fake/events`);
    return (await res.json()) as FakeAnthropicEvent[];
  };
  return {
    ...proc,
    baseUrl: `${proc.url}/v1`,
    events,
    async reset() {
      await (await fetch(`${proc.url}/_fake/reset`, { method: "POST" })).arrayBuffer();
    },
    async waitForEvent(match, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await events()).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`fake-anthropic: no matching event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
