// The gemini adapter end to end against the fake Gemini process: in-process
// (Inference + Router + GeminiProvider), and through a real `hoosh serve` with
// a provider of type "gemini" once the factory builds one.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import {
  EmbedRequestSchema,
  GenerateRequestSchema,
  InferenceService,
  type EmbedResponse,
  type GenerateResponse,
  type GenerateStreamResponse,
} from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { parseConfig } from "../../server/config/index.js";
import { Inference } from "../../server/core/inference.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { Router } from "../../server/core/router.js";
import { createProvider } from "../../server/providers/factory.js";
import { GeminiProvider } from "../../server/providers/gemini/client.js";
import { Transport } from "../../server/providers/transport.js";
import { embed as fakeVector } from "../fakes/openai/embeddings.js";
import { startFakeGemini, type FakeGemini } from "../fakes/spawn-gemini.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";

const API_KEY = "AIza-e2e-key";
const config = (baseUrl: string) => `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[router]
max_attempts = 1

[[providers]]
name = "gem"
type = "gemini"
base_url = "${baseUrl}"
api_key = "${API_KEY}"
models = ["gemini-*", "text-embedding-*", "fake-*"]
timeouts = { connect_ms = 1000, first_byte_ms = 5000, idle_ms = 5000 }
`;


/** One way into the adapter: the core in-process, or a hoosh process over Connect. */
interface Edge {
  generate(req: Chat, signal?: AbortSignal): Promise<GenerateResponse>;
  stream(req: Chat, signal?: AbortSignal): AsyncIterable<GenerateStreamResponse>;
  embed(model: string, inputs: string[], dimensions?: number): Promise<EmbedResponse>;
}
type Chat = { model: string; messages: { role: Role; content?: { part: { case: "text"; value: string } }[]; toolCalls?: object[]; toolCallId?: string }[]; tools?: object[] };

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: API_KEY });
}, 20_000);
afterAll(async () => {
  await fake?.stop();
});
beforeEach(async () => {
  await fake.reset();
});

const text = (value: string) => [{ part: { case: "text" as const, value } }];
const chat = (model: string, prompt: string, tools?: object[]): Chat => ({ model, messages: [{ role: Role.USER, content: text(prompt) }], ...(tools ? { tools } : {}) });
const WEATHER = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

async function rejection(run: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await run();
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

function scenarios(edge: () => Edge): void {
  it("Generate answers through the adapter, with usage from Google's usageMetadata", async () => {
    const res = await edge().generate(chat("gemini-2.0-flash", "hello gemini"));
    expect(res.message?.content[0]?.part.value).toBe("echo: hello gemini");
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ provider: "gem", inputTokens: 5, outputTokens: 3 });
  });

  it("GenerateStream with a tool call, then the tool result in a second turn", async () => {
    const events: GenerateStreamResponse["event"][] = [];
    for await (const res of edge().stream(chat("gemini-2.5-flash", "please call tool", [WEATHER]))) events.push(res.event);
    expect(events.map((e) => e.case)).toEqual(["start", "toolCall", "end"]);
    const end = events.at(-1)!;
    if (end.case !== "end") throw new Error("no end event");
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    const calls = end.value.message?.toolCalls ?? [];
    expect(calls.map((c) => [c.id, c.name, c.arguments])).toEqual([["call_0", "get_weather", '{"city":"Paris"}']]);
    const second = await edge().generate({
      model: "gemini-2.5-flash",
      tools: [WEATHER],
      messages: [
        { role: Role.USER, content: text("please call tool") },
        { role: Role.ASSISTANT, toolCalls: calls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a })) },
        { role: Role.TOOL, toolCallId: "call_0", content: text("sunny") },
      ],
    });
    expect(second.message?.content[0]?.part.value).toBe('result of get_weather: {"content":"sunny"}');
  });

  it("Embed returns one vector per input in order", async () => {
    const res = await edge().embed("text-embedding-004", ["one", "two"], 5);
    expect(res.embeddings.map((e) => [e.index, e.values])).toEqual([[0, fakeVector("one", 5)], [1, fakeVector("two", 5)]]);
  });

  it("maps Google errors to gRPC codes", async () => {
    const cases: [string, Code, string][] = [
      ["fake-404", Code.NotFound, 'provider "gem" answered HTTP 404: models/fake-404 is not found'],
      ["fake-429", Code.ResourceExhausted, 'provider "gem" answered HTTP 429: You exceeded your current quota'],
      ["fake-503", Code.Unavailable, 'provider "gem" answered HTTP 503: The model is overloaded'],
    ];
    for (const [model, code, prefix] of cases) {
      const err = await rejection(() => edge().generate(chat(model, "x")));
      expect(Code[err.code], model).toBe(Code[code]);
      expect(err.rawMessage).toContain(prefix);
    }
  });

  it("safety blocks are errors: prompt -> InvalidArgument, answer -> FailedPrecondition", async () => {
    const prompt = await rejection(() => edge().generate(chat("gemini-2.0-flash", "this gets blocked")));
    expect(Code[prompt.code]).toBe(Code[Code.InvalidArgument]);
    expect(prompt.rawMessage).toContain("blocked the prompt (blockReason SAFETY; safety ratings: HARM_CATEGORY_DANGEROUS_CONTENT=HIGH (blocked))");
    const answer = await rejection(async () => {
      for await (const _ of edge().stream(chat("gemini-2.0-flash", "an unsafe answer"))) void _;
    });
    expect(Code[answer.code]).toBe(Code[Code.FailedPrecondition]);
    expect(answer.rawMessage).toContain("HARM_CATEGORY_HARASSMENT=HIGH (blocked)");
  });

  it("a client cancel mid-stream closes the upstream connection mid-stream", async () => {
    const abort = new AbortController();
    let texts = 0;
    const err = await rejection(async () => {
      for await (const res of edge().stream(chat("fake-long-stream", "go"), abort.signal)) {
        if (res.event.case === "text" && ++texts === 5) {
          abort.abort();
        }
      }
    });
    expect(Code[err.code]).toBe(Code[Code.Canceled]);
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(20);
  });
}

describe("in-process: Inference + Router + GeminiProvider", () => {
  const transport = new Transport();
  let inference: Inference;
  beforeAll(() => {
    const provider = new GeminiProvider(
      { name: "gem", baseUrl: fake.baseUrl, apiKey: API_KEY, headers: {}, locality: Locality.LOCAL, limits: { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000, maxConnections: 8 } },
      transport,
    );
    const latency = new LatencyTracker();
    const router = new Router([{ provider, models: ["*"], priority: 0, weight: 1 }], "priority", latency);
    // Retries off (one attempt): error mapping is under test here, not the retry policy.
    inference = new Inference({ router, health: new ProviderHealth(), latency, options: {
      fallback: true,
      maxAttempts: 1,
      limits: { maxMessages: 64, maxEmbedInputs: 64 },
      backoffMs: 1,
      backoffMaxMs: 5,
      maxRetryAfterMs: 0,
    } });
  });
  afterAll(() => transport.close());
  const call = (signal = new AbortController().signal) => ({ signal, requestId: "e2e" });
  scenarios(() => ({
    generate: (req, signal) => inference.generate(create(GenerateRequestSchema, req), call(signal)),
    stream: (req, signal) => inference.generateStream(create(GenerateRequestSchema, req), call(signal)),
    embed: (model, inputs, dimensions) => inference.embed(create(EmbedRequestSchema, { model, inputs, dimensions }), call()),
  }));
});

describe("through a real hoosh (type = \"gemini\")", () => {
  let hoosh: Hoosh;
  let client: ReturnType<typeof createClient<typeof InferenceService>>;
  beforeAll(async () => {
    hoosh = await startHoosh(config(fake.baseUrl));
    client = createClient(InferenceService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1" }));
  }, 30_000);
  afterAll(async () => {
    await hoosh?.stop();
  });
  scenarios(() => ({
    generate: (req, signal) => client.generate(req, { signal }),
    stream: (req, signal) => client.generateStream(req, { signal }),
    embed: (model, inputs, dimensions) => client.embed({ model, inputs, dimensions }),
  }));
});
