// Starts the fake Gemini upstream (test/fakes/gemini-upstream.ts) as its own process.
import { fileURLToPath } from "node:url";
import type { FakeGeminiEvent } from "./gemini/events.js";
import { startFake, type FakeStartOptions, type FakeUpstream } from "./spawn.js";

export type { FakeGeminiClosedEvent, FakeGeminiEvent, FakeGeminiRequestEvent } from "./gemini/events.js";

export type FakeGemini = FakeUpstream<FakeGeminiEvent>;
export type FakeGeminiStartOptions = FakeStartOptions;

export const FAKE_GEMINI_SCRIPT = fileURLToPath(new URL("./gemini-upstream.ts", import.meta.url));

/** baseUrl "http://127.0.0.1:PORT/v1beta": pass as the Gemini base URL. */
export function startFakeGemini(opts: FakeStartOptions = {}): Promise<FakeGemini> {
  return startFake<FakeGeminiEvent>("fake-gemini", FAKE_GEMINI_SCRIPT, "/v1beta", opts);
}
