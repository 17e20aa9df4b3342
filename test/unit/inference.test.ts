// The Inference pipeline over real OpenAIProviders (a live fake upstream and a
// closed loopback port) behind a real Router.
import net from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { HealthState, Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { Inference, type InferenceOptions } from "../../server/core/inference.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { Router, type StrategyName } from "../../server/core/router.js";
import { OpenAIProvider } from "../../server/providers/openai/client.js";
import type { CallContext, Provider } from "../../server/providers/provider.js";
import { Transport } from "../../server/providers/transport.js";
import { startFakeOpenAI, type FakeEvent, type FakeOpenAI } from "../fakes/spawn.js";
import { caught, expectError } from "./helpers.js";

let fake: FakeOpenAI;
let deadUrl: string;
const transport = new Transport();

/** A loopback port that was bound and closed again: connections are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
  deadUrl = `http://127.0.0.1:${await closedPort()}/v1`;
}, 20_000);

afterAll(async () => {
  await transport.close();
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

function openai(name: string, baseUrl: string): OpenAIProvider {
  return new OpenAIProvider(
    {
      name,
      baseUrl,
      headers: {},
      locality: Locality.LOCAL,
      limits: { connectMs: 2_000, firstByteMs: 10_000, idleMs: 10_000, maxConnections: 8 },
    },
    transport,
  );
}

interface Setup {
  inference: Inference;
  health: ProviderHealth;
  latency: LatencyTracker;
}

/** Providers in priority order, each serving every model. */
function setup(providers: Provider[], options: Partial<InferenceOptions> = {}, strategy: StrategyName = "priority"): Setup {
  const latency = new LatencyTracker();
  const health = new ProviderHealth();
  const router = new Router(
    providers.map((provider, i) => ({ provider, models: ["*"], priority: i, weight: 1 })),
    strategy,
    latency,
  );
  const inference = new Inference({ router, health, latency, options: {
    fallback: true,
    maxAttempts: 3,
    limits: { maxMessages: 64, maxEmbedInputs: 64 },
    // Tiny backoff; Retry-After is never waited for (so the fallbacks, not retries, are under test).
    backoffMs: 1,
    backoffMaxMs: 5,
    maxRetryAfterMs: 0,
    ...options,
  } });
  return { inference, health, latency };
}

const chat = (model: string, text = "hello world") =>
  create(GenerateRequestSchema, { model, messages: [{ role: Role.USER, content: [{ part: { case: "text", value: text } }] }] });

function call(signal: AbortSignal = new AbortController().signal): CallContext {
  return { signal, requestId: "unit-test" };
}

async function collect(stream: AsyncIterable<GenerateStreamResponse>): Promise<GenerateStreamResponse[]> {
  const out: GenerateStreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

async function chatRequests(model: string): Promise<FakeEvent[]> {
  return (await fake.events()).filter((e) => e.type === "request" && e.path === "/v1/chat/completions" && e.model === model);
}

describe("fallback from a dead provider to a live one", () => {
  it("generate", async () => {
    const { inference, health, latency } = setup([openai("dead", deadUrl), openai("live", fake.baseUrl)]);
    const res = await inference.generate(chat("gpt-4o-mini"), call());
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello world" });
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage?.provider).toBe("live");
    expect(res.usage?.inputTokens).toBeGreaterThan(0);
    expect(health.get("dead").state).toBe(HealthState.DEGRADED);
    expect(health.get("dead").reason).toContain('provider "dead" is unreachable');
    expect(health.get("live").state).toBe(HealthState.HEALTHY);
    expect(latency.estimate("live")).toBeGreaterThan(0);
    expect(latency.estimate("dead")).toBe(0);
  });

  it("embed", async () => {
    const { inference, health } = setup([openai("dead", deadUrl), openai("live", fake.baseUrl)]);
    const res = await inference.embed(create(EmbedRequestSchema, { model: "text-embedding-3-small", inputs: ["a b", "c"], dimensions: 4 }), call());
    expect(res.embeddings.map((e) => e.index)).toEqual([0, 1]);
    expect(res.embeddings[0]?.values).toHaveLength(4);
    expect(res.usage?.provider).toBe("live");
    expect(res.usage?.inputTokens).toBe(3);
    expect(health.get("dead").state).toBe(HealthState.DEGRADED);
  });

  it("generateStream: start names the live provider; end has usage and the assembled message", async () => {
    const { inference, health } = setup([openai("dead", deadUrl), openai("live", fake.baseUrl)]);
    const events = await collect(inference.generateStream(chat("gpt-4o-mini"), call()));
    const cases = events.map((e) => e.event.case);
    expect(cases[0]).toBe("start");
    expect(cases.at(-1)).toBe("end");
    expect(cases.filter((c) => c === "text").length).toBeGreaterThan(1);
    const start = events[0]!.event;
    const end = events.at(-1)!.event;
    if (start.case !== "start" || end.case !== "end") throw new Error("bad stream shape");
    expect(start.value.provider).toBe("live");
    expect(start.value.model).toBe("gpt-4o-mini");
    expect(end.value.finishReason).toBe(FinishReason.STOP);
    expect(end.value.usage?.provider).toBe("live");
    expect(end.value.usage?.outputTokens).toBeGreaterThan(0);
    expect(end.value.message?.role).toBe(Role.ASSISTANT);
    expect(end.value.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello world" });
    expect(health.get("dead").state).toBe(HealthState.DEGRADED);
    expect(health.get("live").state).toBe(HealthState.HEALTHY);
  });

  it("generateStream assembles a streamed tool call into StreamEnd.message", async () => {
    const { inference } = setup([openai("dead", deadUrl), openai("live", fake.baseUrl)]);
    const req = chat("gpt-4o-mini", "please call tool");
    req.tools.push(...create(GenerateRequestSchema, { tools: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }] }).tools);
    const events = await collect(inference.generateStream(req, call()));
    const end = events.at(-1)!.event;
    if (end.case !== "end") throw new Error("no end");
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(end.value.message?.toolCalls).toHaveLength(1);
    expect(end.value.message?.toolCalls[0]).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(end.value.message?.toolCalls[0]?.id).toMatch(/^call_/);
  });

  it("the dead provider becomes UNHEALTHY after three failures", async () => {
    const { inference, health } = setup([openai("dead", deadUrl), openai("live", fake.baseUrl)]);
    for (let i = 0; i < 3; i++) await inference.generate(chat("gpt-4o-mini"), call());
    expect(health.get("dead").state).toBe(HealthState.UNHEALTHY);
    expect(health.get("live").state).toBe(HealthState.HEALTHY);
  });
});

describe("when not to fall back", () => {
  it("fallback=false: the first provider's error is the answer", async () => {
    const { inference, health } = setup([openai("dead", deadUrl), openai("live", fake.baseUrl)], { fallback: false });
    expectError(await caught(() => inference.generate(chat("gpt-4o-mini"), call())), Code.Unavailable, 'provider "dead" is unreachable');
    expectError(
      await caught(() => inference.embed(create(EmbedRequestSchema, { model: "e", inputs: ["a"] }), call())),
      Code.Unavailable,
      'provider "dead" is unreachable',
    );
    expectError(await caught(() => collect(inference.generateStream(chat("gpt-4o-mini"), call()))), Code.Unavailable, 'provider "dead"');
    expect(await chatRequests("gpt-4o-mini")).toHaveLength(0);
    expect(health.get("dead").state).toBe(HealthState.UNHEALTHY);
  });

  it("an InvalidArgument-type upstream error (fake-400) is not retried", async () => {
    const { inference, health } = setup([openai("first", fake.baseUrl), openai("second", fake.baseUrl)]);
    const err = await caught(() => inference.generate(chat("fake-400"), call()));
    expectError(err, Code.InvalidArgument, 'provider "first" answered HTTP 400: Invalid \'messages\': scripted failure (fake-400). (param=messages)');
    const streamErr = await caught(() => collect(inference.generateStream(chat("fake-400"), call())));
    expectError(streamErr, Code.InvalidArgument, 'provider "first" answered HTTP 400');
    expect(await chatRequests("fake-400")).toHaveLength(2); // one per call: never the second provider
    // A caller's mistake says nothing about the provider's health.
    expect(health.get("first").state).toBe(HealthState.UNKNOWN);
  });

  it("a retryable upstream error (fake-503) falls back, up to maxAttempts", async () => {
    const { inference } = setup([openai("a", fake.baseUrl), openai("b", fake.baseUrl), openai("c", fake.baseUrl)], { maxAttempts: 2 });
    const err = await caught(() => inference.generate(chat("fake-503"), call()));
    expectError(err, Code.Unavailable, 'provider "b" answered HTTP 503');
    expect(await chatRequests("fake-503")).toHaveLength(2);
  });

  it("429 keeps retry-after after falling through every provider", async () => {
    const { inference, health } = setup([openai("a", fake.baseUrl), openai("b", fake.baseUrl)]);
    const err = await caught(() => inference.generate(chat("fake-429"), call()));
    expectError(err, Code.ResourceExhausted, 'provider "b" answered HTTP 429');
    expect(err.metadata.get("retry-after")).toBe("7");
    expect(health.get("a").state).toBe(HealthState.UNKNOWN);
  });

  it("streams fall back only before the first event", async () => {
    const { inference, health } = setup([openai("first", fake.baseUrl), openai("second", fake.baseUrl)]);
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of inference.generateStream(chat("fake-stream-error"), call())) seen.push(e);
    });
    expectError(err, Code.Unavailable, 'provider "first" failed mid-stream');
    expect(seen[0]?.event.case).toBe("start");
    expect(seen[0]?.event.value).toMatchObject({ provider: "first" });
    expect(seen.some((e) => e.event.case === "end")).toBe(false);
    expect(await chatRequests("fake-stream-error")).toHaveLength(1);
    expect(health.get("first").state).toBe(HealthState.DEGRADED);
    expect(health.get("second").state).toBe(HealthState.UNKNOWN);
  });

  it("invalid requests fail before any upstream call", async () => {
    const { inference } = setup([openai("live", fake.baseUrl)]);
    const err = await caught(() => inference.generate(create(GenerateRequestSchema, { model: "gpt-4o-mini" }), call()));
    expectError(err, Code.InvalidArgument, "messages:");
    expectError(await caught(() => collect(inference.generateStream(chat(""), call()))), Code.InvalidArgument, "model:");
    expectError(await caught(() => inference.embed(create(EmbedRequestSchema, { model: "e" }), call())), Code.InvalidArgument, "inputs:");
    expect((await fake.events()).filter((e) => e.type === "request")).toHaveLength(0);
  });

  it("an unrouted model → NotFound", async () => {
    const latency = new LatencyTracker();
    const router = new Router([{ provider: openai("live", fake.baseUrl), models: ["gpt-*"], priority: 1, weight: 1 }], "priority", latency);
    const inference = new Inference({ router, health: new ProviderHealth(), latency, options: { fallback: true, maxAttempts: 3, limits: { maxMessages: 8, maxEmbedInputs: 8 }, backoffMs: 1, backoffMaxMs: 5, maxRetryAfterMs: 0 } });
    expectError(await caught(() => inference.generate(chat("claude-3"), call())), Code.NotFound, 'no provider serves model "claude-3"');
  });
});

describe("cancellation", () => {
  it("aborting the call signal mid-stream ends the iteration with Canceled and closes the upstream request", async () => {
    const { inference, health } = setup([openai("live", fake.baseUrl), openai("spare", fake.baseUrl)]);
    const ac = new AbortController();
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of inference.generateStream(chat("fake-long-stream"), call(ac.signal))) {
        seen.push(e);
        if (seen.filter((x) => x.event.case === "text").length === 3) ac.abort();
      }
    });
    expect(Code[err.code]).toBe("Canceled");
    expect(seen.some((e) => e.event.case === "end")).toBe(false);
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    expect(closed).toMatchObject({ type: "client-closed", path: "/v1/chat/completions" });
    // No fallback after cancel, and a cancel is not the provider's fault.
    expect(await chatRequests("fake-long-stream")).toHaveLength(1);
    expect(health.get("live").state).toBe(HealthState.UNKNOWN);
  });

  it("an abort reason that is a ConnectError is the error the caller sees", async () => {
    const { inference } = setup([openai("live", fake.baseUrl)]);
    const ac = new AbortController();
    const reason = new ConnectError("request exceeded the server's 5 ms timeout", Code.DeadlineExceeded);
    const err = await caught(async () => {
      for await (const e of inference.generateStream(chat("fake-long-stream"), call(ac.signal))) {
        if (e.event.case === "text") ac.abort(reason);
      }
    });
    expect(err).toBe(reason);
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
  });

  it("breaking out of the loop closes the upstream request", async () => {
    const { inference } = setup([openai("live", fake.baseUrl)]);
    for await (const e of inference.generateStream(chat("fake-long-stream"), call())) {
      if (e.event.case === "text") break;
    }
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
  });

  it("an already-aborted signal does not fall back", async () => {
    const { inference } = setup([openai("dead", deadUrl), openai("live", fake.baseUrl)]);
    const ac = new AbortController();
    ac.abort();
    const err = await caught(() => inference.generate(chat("gpt-4o-mini"), call(ac.signal)));
    expect(Code[err.code]).toBe("Canceled");
    expect(await chatRequests("gpt-4o-mini")).toHaveLength(0);
  });

  it("the caller's own deadline does not count against the provider's health", async () => {
    const { inference, health } = setup([openai("live", fake.baseUrl)]);
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      setTimeout(() => ac.abort(new ConnectError("deadline", Code.DeadlineExceeded)), 50);
      const err = await caught(() => inference.generate(chat("fake-slow-first-byte"), call(ac.signal)));
      expect(err.code).toBe(Code.DeadlineExceeded);
    }
    expect(health.get("live").state).toBe(HealthState.UNKNOWN);
  });
});
