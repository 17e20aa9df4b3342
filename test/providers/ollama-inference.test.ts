// The Inference pipeline (Router, fallback, stream assembly, cancellation) over
// real OllamaProviders in-process, against the fake Ollama in its own process.
import net from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { HealthState, Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { Inference } from "../../server/core/inference.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { Router } from "../../server/core/router.js";
import { OllamaProvider } from "../../server/providers/ollama/client.js";
import type { CallContext } from "../../server/providers/provider.js";
import { Transport } from "../../server/providers/transport.js";
import { startFakeOllama, type FakeOllama, type FakeOllamaEvent } from "../fakes/spawn-ollama.js";
import { caught, expectError } from "../unit/helpers.js";

let fake: FakeOllama;
let deadUrl: string;
const transport = new Transport();

beforeAll(async () => {
  fake = await startFakeOllama();
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  deadUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}, 20_000);

afterAll(async () => {
  await transport.close();
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

function ollama(name: string, baseUrl: string): OllamaProvider {
  return new OllamaProvider(
    { name, baseUrl, headers: {}, locality: Locality.LOCAL, limits: { connectMs: 2_000, firstByteMs: 10_000, idleMs: 10_000, maxConnections: 8 } },
    transport,
  );
}

/** Providers in priority order, each serving every model. */
function setup(...providers: OllamaProvider[]) {
  const latency = new LatencyTracker();
  const health = new ProviderHealth();
  const router = new Router(providers.map((provider, i) => ({ provider, models: ["*"], priority: i, weight: 1 })), "priority", latency);
  const inference = new Inference({ router, health, latency, options: {
    fallback: true,
    maxAttempts: 3,
    limits: { maxMessages: 64, maxEmbedInputs: 64 },
    backoffMs: 1,
    backoffMaxMs: 5,
    maxRetryAfterMs: 0,
  } });
  return { inference, health };
}

const chat = (model: string, text = "hello world") =>
  create(GenerateRequestSchema, { model, messages: [{ role: Role.USER, content: [{ part: { case: "text", value: text } }] }] });
const call = (signal: AbortSignal = new AbortController().signal): CallContext => ({ signal, requestId: "ollama-inference" });
const chatRequests = async (model: string): Promise<FakeOllamaEvent[]> =>
  (await fake.events()).filter((e) => e.type === "request" && e.path === "/api/chat" && e.model === model);

async function collect(stream: AsyncIterable<GenerateStreamResponse>): Promise<GenerateStreamResponse[]> {
  const out: GenerateStreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe("through the pipeline", () => {
  it("generate falls back from a dead server to a live one and names the provider in usage", async () => {
    const { inference, health } = setup(ollama("dead", deadUrl), ollama("local", fake.baseUrl));
    const res = await inference.generate(chat("llama3.2"), call());
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello world" });
    expect(res.usage).toMatchObject({ provider: "local", inputTokens: 5, outputTokens: 3 });
    expect(health.get("dead").state).toBe(HealthState.DEGRADED);
    expect(health.get("local").state).toBe(HealthState.HEALTHY);
  });

  it("generateStream assembles the tool call into StreamEnd.message", async () => {
    const { inference } = setup(ollama("local", fake.baseUrl));
    const req = chat("qwen3:8b", "call tool get_weather");
    req.tools.push(...create(GenerateRequestSchema, { tools: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }] }).tools);
    const events = await collect(inference.generateStream(req, call()));
    expect(events.map((e) => e.event.case)).toEqual(["start", "toolCall", "end"]);
    expect(events[0]!.event.value).toMatchObject({ provider: "local", model: "qwen3:8b" });
    const end = events[2]!.event;
    if (end.case !== "end") throw new Error("no end");
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(end.value.usage?.provider).toBe("local");
    expect(end.value.message?.toolCalls.map(({ id, name, arguments: a }) => ({ id, name, a }))).toEqual([{ id: "call_0", name: "get_weather", a: '{"city":"Paris"}' }]);
  });

  it("embed", async () => {
    const { inference } = setup(ollama("local", fake.baseUrl));
    const res = await inference.embed(create(EmbedRequestSchema, { model: "nomic-embed-text", inputs: ["a b", "c"] }), call());
    expect(res.embeddings.map((e) => e.values.length)).toEqual([8, 8]);
    expect(res.usage).toMatchObject({ provider: "local", inputTokens: 3 });
  });

  it("a missing model is NotFound and not retried; a 500 is retried then fails Unavailable", async () => {
    const { inference } = setup(ollama("local", fake.baseUrl));
    expectError(await caught(() => inference.generate(chat("fake-404"), call())), Code.NotFound, 'provider "local" answered HTTP 404: model "fake-404" not found');
    expect(await chatRequests("fake-404")).toHaveLength(1);
    expect(Code[(await caught(() => inference.generate(chat("fake-500"), call()))).code]).toBe("Unavailable");
    expect((await chatRequests("fake-500")).length).toBeGreaterThan(1);
  });
});

describe("cancellation", () => {
  // Retried: on a machine loaded by other test processes, one scheduling hiccup can exceed 100 ms.
  it("aborting mid-stream ends with Canceled and the server sees the connection closed mid-stream", async () => {
    const { inference, health } = setup(ollama("local", fake.baseUrl));
    const ac = new AbortController();
    let abortedAt = 0;
    let texts = 0;
    const err = await caught(async () => {
      for await (const e of inference.generateStream(chat("fake-long-stream"), call(ac.signal))) {
        if (e.event.case === "text" && ++texts === 3) {
          abortedAt = Date.now();
          ac.abort();
        }
      }
    });
    expect(Code[err.code]).toBe("Canceled");
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    if (closed.type !== "client-closed") throw new Error("unexpected event");
    expect(closed.at - abortedAt).toBeGreaterThanOrEqual(0);
    expect(closed.afterChunks).toBeLessThan(10);
    // No retry after a cancel, and a cancel is not the provider's fault.
    expect(await chatRequests("fake-long-stream")).toHaveLength(1);
    expect(health.get("local").state).toBe(HealthState.UNKNOWN);
  });

  it("breaking out of the loop closes the upstream request", async () => {
    const { inference } = setup(ollama("local", fake.baseUrl));
    for await (const e of inference.generateStream(chat("fake-long-stream"), call())) {
      if (e.event.case === "text") break;
    }
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
  });
});
