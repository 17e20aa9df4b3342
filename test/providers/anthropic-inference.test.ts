// The core pipeline (Inference + Router) over AnthropicProviders in-process,
// against the fake Anthropic upstream process: what hoosh serve does once
// the factory builds "anthropic" providers.
import net from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { Inference, type InferenceOptions } from "../../server/core/inference.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { Router } from "../../server/core/router.js";
import { AnthropicProvider } from "../../server/providers/anthropic/client.js";
import { Transport } from "../../server/providers/transport.js";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/spawn-anthropic.js";
import { call, caught, chat, collect, expectError, summarize, WEATHER_TOOL } from "./anthropic-helpers.js";

let fake: FakeAnthropic;
let deadUrl: string;
const transport = new Transport();

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: "sk-ant-core" });
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  deadUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}, 20_000);

afterAll(async () => {
  await transport.close();
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

function anthropic(name: string, baseUrl = fake.baseUrl): AnthropicProvider {
  const limits = { connectMs: 2_000, firstByteMs: 10_000, idleMs: 10_000, maxConnections: 8 };
  return new AnthropicProvider({ name, baseUrl, apiKey: "sk-ant-core", headers: {}, locality: Locality.LOCAL, limits }, transport);
}

/** Providers in priority order, each serving every model; no backoff between attempts. */
function inference(...providers: AnthropicProvider[]): Inference {
  const latency = new LatencyTracker();
  const router = new Router(providers.map((provider, i) => ({ provider, models: ["*"], priority: i, weight: 1 })), "priority", latency);
  // A cast: the retry options of InferenceOptions are growing while this adapter lands.
  const options = { fallback: true, maxAttempts: 2, limits: { maxMessages: 64, maxEmbedInputs: 64 }, backoffMs: 0, backoffMaxMs: 0, maxRetryAfterMs: 0 };
  return new Inference({ router, health: new ProviderHealth(), latency, options: options as InferenceOptions });
}

describe("Inference over the anthropic adapter", () => {
  it("generate: the echo with usage naming the provider", async () => {
    const res = await inference(anthropic("claude")).generate(chat("claude-sonnet-4-20250514", "hello core"), call());
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello core" });
    expect(res.usage).toMatchObject({ provider: "claude", outputTokens: 3 });
  });

  it("generateStream: a streamed tool call is assembled into StreamEnd.message", async () => {
    const events = await collect(inference(anthropic("claude")).generateStream(chat("m", "call tool now", { tools: [WEATHER_TOOL] }), call()));
    const start = events[0]!.event;
    expect(start.case === "start" && start.value.provider).toBe("claude");
    const { end } = summarize(events);
    expect(end?.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(end?.usage?.provider).toBe("claude");
    expect(end?.message?.role).toBe(Role.ASSISTANT);
    expect(end?.message?.content[0]?.part).toEqual({ case: "text", value: "I'll call get_weather." });
    expect(end?.message?.toolCalls).toHaveLength(1);
    expect(end?.message?.toolCalls[0]).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}' });
  });

  it("falls back from an unreachable provider; 529 is retryable, 401 is not", async () => {
    const res = await inference(anthropic("dead", deadUrl), anthropic("live")).generate(chat("m", "hi"), call());
    expect(res.usage?.provider).toBe("live");
    expectError(await caught(() => inference(anthropic("a"), anthropic("b")).generate(chat("fake-529"), call())), Code.Unavailable, 'provider "b" answered HTTP 529');
    expectError(await caught(() => inference(anthropic("a"), anthropic("b")).generate(chat("fake-401"), call())), Code.Unauthenticated, 'provider "a" answered HTTP 401');
  });

  it("embed -> Unimplemented", async () => {
    const err = await caught(() => inference(anthropic("claude")).embed(create(EmbedRequestSchema, { model: "m", inputs: ["x"] }), call()));
    expectError(err, Code.Unimplemented, 'provider "claude" (anthropic) has no embeddings API');
  });

  it("a caller's cancel mid-stream reaches the upstream mid-stream", async () => {
    const abort = new AbortController();
    let seen = 0;
    const err = await caught(async () => {
      for await (const _ of inference(anthropic("claude")).generateStream(chat("fake-long-stream", "go"), call({ signal: abort.signal }))) {
        if (++seen === 5) {
          abort.abort();
        }
      }
    });
    expect(Code[err.code]).toBe(Code[Code.Canceled]);
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(20);
  });
});
