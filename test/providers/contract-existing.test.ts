// The provider contract (contract.ts) run against the adapters that came
// before the cloud ones, each through a real hoosh and its own fake: the
// cloud adapters are held to exactly what these pass.
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe } from "vitest";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeAnthropic } from "../fakes/spawn-anthropic.js";
import { startFakeGemini } from "../fakes/spawn-gemini.js";
import { startFakeOpenAI, type FakeUpstream } from "../fakes/spawn.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { providerContract } from "./contract.js";

interface Closable {
  type: string;
  model: string | null;
  at: number;
}

function suite(type: string, start: () => Promise<FakeUpstream<unknown>>, chatModel: string, unavailable: string): void {
  describe(`type = "${type}" through a real hoosh`, () => {
    let fake: FakeUpstream<unknown>;
    let hoosh: Hoosh;
    let client: ReturnType<typeof createClient<typeof InferenceService>>;
    beforeAll(async () => {
      fake = await start();
      hoosh = await startHoosh(`
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000
[router]
max_attempts = 1
fallback = false
[[providers]]
name = "${type}-contract"
type = "${type}"
base_url = "${fake.baseUrl}"
models = ["*"]
timeouts = { connect_ms = 1000, first_byte_ms = 5000, idle_ms = 5000 }
breaker = { failures = 1000 }
`);
      client = createClient(InferenceService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1" }));
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
      closedAt: async (model) => ((await fake.waitForEvent((e) => (e as Closable).type === "client-closed" && (e as Closable).model === model, 5_000)) as Closable).at,
    });
  });
}

suite("openai", () => startFakeOpenAI(), "gpt-4o", "fake-503");
suite("anthropic", () => startFakeAnthropic(), "claude-sonnet-4-5", "fake-529");
suite("gemini", () => startFakeGemini(), "gemini-2.0-flash", "fake-503");
