// The provider contract (contract.ts) run against the adapters that came
// before the cloud ones (openai, anthropic, gemini, ollama), each through a real hoosh and its own fake: the
// cloud adapters are held to exactly what these pass.
import { afterAll, beforeAll, describe } from "vitest";
import { startFakeAnthropic } from "../fakes/spawn-anthropic.js";
import { startFakeGemini } from "../fakes/spawn-gemini.js";
import { startFakeOllama } from "../fakes/spawn-ollama.js";
import { startFakeOpenAI, type FakeUpstream } from "../fakes/spawn.js";
import type { Hoosh } from "../harness/hoosh.js";
import { providerContract } from "./contract.js";
import { closedAt, FAULTS_EXPECTED, startE2E, type E2E } from "./e2e-harness.js";

function suite(type: string, start: () => Promise<FakeUpstream<unknown>>, chatModel: string, unavailable: string): void {
  describe(`type = "${type}" through a real hoosh`, () => {
    let fake: FakeUpstream<unknown>;
    let hoosh: Hoosh;
    let client: E2E["client"];
    beforeAll(async () => {
      fake = await start();
      ({ hoosh, client } = await startE2E(`
[[providers]]
name = "${type}-contract"
type = "${type}"
base_url = "${fake.baseUrl}"
models = ["*"]
${FAULTS_EXPECTED}
`));
    }, 30_000);
    afterAll(async () => {
      await hoosh?.stop();
      await fake?.stop();
    });
    providerContract({
      client: () => client,
      provider: `${type}-contract`,
      chatModel,
      toolModel: chatModel,
      models: { throttled: "fake-429", notFound: "fake-404", unavailable, longStream: "fake-long-stream" },
      closedAt: (model) => closedAt(fake)(model),
    });
  });
}

suite("openai", () => startFakeOpenAI(), "gpt-4o", "fake-503");
suite("anthropic", () => startFakeAnthropic(), "claude-sonnet-4-5", "fake-529");
suite("gemini", () => startFakeGemini(), "gemini-2.0-flash", "fake-503");
// Ollama answers a failed runner with 500 (it has no 503 of its own).
suite("ollama", () => startFakeOllama(), "llama3.2", "fake-500");
