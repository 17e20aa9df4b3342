// Starts the fake Anthropic upstream (test/fakes/anthropic-upstream.ts) as its own process.
import { fileURLToPath } from "node:url";
import type { FakeAnthropicEvent } from "./anthropic/events.js";
import { startFake, type FakeStartOptions, type FakeUpstream } from "./spawn.js";

export type { FakeAnthropicClosedEvent, FakeAnthropicEvent, FakeAnthropicRequestEvent } from "./anthropic/events.js";

export type FakeAnthropic = FakeUpstream<FakeAnthropicEvent>;
export type FakeAnthropicStartOptions = FakeStartOptions;

export const FAKE_ANTHROPIC_SCRIPT = fileURLToPath(new URL("./anthropic-upstream.ts", import.meta.url));

/** baseUrl "http://127.0.0.1:PORT/v1": pass as the Anthropic base URL. */
export function startFakeAnthropic(opts: FakeStartOptions = {}): Promise<FakeAnthropic> {
  return startFake<FakeAnthropicEvent>("fake-anthropic", FAKE_ANTHROPIC_SCRIPT, "/v1", opts);
}
