// Starts the fake Ollama upstream (test/fakes/ollama-upstream.ts) as its own process.
import { fileURLToPath } from "node:url";
import type { FakeOllamaEvent } from "./ollama/events.js";
import { startFake, type FakeStartOptions, type FakeUpstream } from "./spawn.js";

export type { FakeOllamaClientClosedEvent, FakeOllamaEvent, FakeOllamaRequestEvent } from "./ollama/events.js";

export type FakeOllama = FakeUpstream<FakeOllamaEvent>;
export type FakeOllamaStartOptions = FakeStartOptions;

export const FAKE_OLLAMA_SCRIPT = fileURLToPath(new URL("./ollama-upstream.ts", import.meta.url));

/** baseUrl "http://127.0.0.1:PORT": Ollama's base URL is the server root (no /v1). */
export function startFakeOllama(opts: FakeStartOptions = {}): Promise<FakeOllama> {
  return startFake<FakeOllamaEvent>("fake-ollama", FAKE_OLLAMA_SCRIPT, "", opts);
}
