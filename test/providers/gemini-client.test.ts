// GeminiProvider against the fake Gemini upstream (its own process): what goes
// on the wire, answers, paging, scripted failures and cancellation.
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, ResponseFormat_Type, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { GeminiProvider } from "../../server/providers/gemini/client.js";
import type { CallContext } from "../../server/providers/provider.js";
import { Transport, type TransportLimits } from "../../server/providers/transport.js";
import { embed as fakeVector } from "../fakes/openai/embeddings.js";
import { startFakeGemini, type FakeGemini, type FakeGeminiRequestEvent } from "../fakes/spawn-gemini.js";
import { caught, expectError } from "../unit/helpers.js";

const API_KEY = "AIza-unit-test-key";
const LIMITS: TransportLimits = { connectMs: 2_000, firstByteMs: 10_000, idleMs: 10_000, maxConnections: 4 };
let fake: FakeGemini;
const transports: Transport[] = [];

beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: API_KEY, slowMs: 5_000 });
}, 20_000);
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await fake?.stop();
});
beforeEach(async () => {
  await fake.reset();
});

function provider(opts: { apiKey?: string | undefined; limits?: Partial<TransportLimits> } = {}): GeminiProvider {
  const transport = new Transport();
  transports.push(transport);
  const apiKey = "apiKey" in opts ? opts.apiKey : API_KEY;
  return new GeminiProvider({ name: "gem", baseUrl: `${fake.baseUrl}/`, apiKey, headers: {}, locality: Locality.LOCAL, limits: { ...LIMITS, ...opts.limits } }, transport);
}
const text = (value: string) => [{ part: { case: "text" as const, value } }];
const chat = (model: string, prompt = "hello world", extra: object = {}) => create(GenerateRequestSchema, { model, messages: [{ role: Role.USER, content: text(prompt) }], ...extra });
const call = (extra: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, requestId: "req-gem-1", ...extra });
async function collect(stream: AsyncIterable<GenerateStreamResponse>): Promise<GenerateStreamResponse[]> {
  const out: GenerateStreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}
async function requests(): Promise<FakeGeminiRequestEvent[]> {
  return (await fake.events()).filter((e): e is FakeGeminiRequestEvent => e.type === "request");
}
const WEATHER = {
  name: "get_weather",
  description: "Weather",
  parameters: { type: "object", additionalProperties: false, properties: { city: { type: "string" } }, required: ["city"] },
};

describe("requests on the wire", () => {
  it("generate: key in x-goog-api-key (never the URL), request id, trace header, translated body", async () => {
    const res = await provider().generate(chat("gemini-2.0-flash"), call({ forwardHeaders: { traceparent: "00-abc-def-01" } }));
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello world" });
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.model).toBe("gemini-2.0-flash");
    expect(res.usage).toMatchObject({ inputTokens: 5, outputTokens: 3 });
    const [req] = await requests();
    expect(req).toMatchObject({ method: "POST", path: "/v1beta/models/gemini-2.0-flash:generateContent", query: {}, action: "generateContent" });
    expect(req!.headers).toMatchObject({ "x-goog-api-key": true, keyInQuery: false, "user-agent": "hoosh/0.1", traceparent: "00-abc-def-01", "x-request-id": "req-gem-1" });
    expect(req!.body).toEqual({ contents: [{ role: "user", parts: [{ text: "hello world" }] }] });
  });

  it("stream: streamGenerateContent?alt=sse asking for an event stream", async () => {
    const events = await collect(provider().generateStream(chat("gemini-2.0-flash", "one two three"), call()));
    expect(events.flatMap((e) => (e.event.case === "text" ? [e.event.value.text] : []))).toEqual(["echo:", " one", " two", " three"]);
    const end = events.at(-1)!.event;
    expect(end.case === "end" && end.value.finishReason).toBe(FinishReason.STOP);
    expect(end.case === "end" && end.value.usage).toMatchObject({ inputTokens: 6, outputTokens: 4 });
    const [req] = await requests();
    expect(req).toMatchObject({ path: "/v1beta/models/gemini-2.0-flash:streamGenerateContent", query: { alt: "sse" } });
    expect(req!.headers.accept).toContain("text/event-stream");
  });

  it("a wrong key is Unauthenticated (400 API_KEY_INVALID); no key is PermissionDenied", async () => {
    const wrong = await caught(() => provider({ apiKey: "wrong" }).generate(chat("gemini-2.0-flash"), call()));
    expectError(wrong, Code.Unauthenticated, 'provider "gem" answered HTTP 400: API key not valid');
    const none = await caught(() => provider({ apiKey: undefined }).generate(chat("gemini-2.0-flash"), call()));
    expectError(none, Code.PermissionDenied, 'provider "gem" answered HTTP 403: Method doesn\'t allow unregistered callers');
  });
});

describe("answers", () => {
  it("tool call and its result round-trip through the fake's Google-style checks", async () => {
    const p = provider();
    const first = await p.generate(chat("gemini-2.5-flash", "please call tool", { tools: [WEATHER] }), call());
    expect(first.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(first.message?.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual([["call_0", "get_weather", '{"city":"Paris"}']]);
    const followUp = create(GenerateRequestSchema, {
      model: "gemini-2.5-flash",
      tools: [WEATHER],
      messages: [
        { role: Role.USER, content: text("please call tool") },
        { role: Role.ASSISTANT, toolCalls: first.message!.toolCalls },
        { role: Role.TOOL, toolCallId: "call_0", content: text('{"temp_c":21}') },
      ],
    });
    const second = await p.generate(followUp, call());
    expect(second.message?.content[0]?.part.value).toBe('result of get_weather: {"temp_c":21}');
    expect(second.finishReason).toBe(FinishReason.STOP);
  });

  it("stream: several calls in one chunk get indexes in order", async () => {
    const tools = [WEATHER, { name: "get_time", description: "", parameters: { type: "object", properties: { tz: { type: "string", enum: ["UTC", "CET"] } } } }];
    const events = await collect(provider().generateStream(chat("gemini-2.5-flash", "call all tools", { tools }), call()));
    expect(events.filter((e) => e.event.case === "toolCall").map((e) => e.event.value)).toMatchObject([
      { index: 0, id: "call_0", name: "get_weather", argumentsDelta: '{"city":"Paris"}' },
      { index: 1, id: "call_1", name: "get_time", argumentsDelta: '{"tz":"UTC"}' },
    ]);
    const end = events.at(-1)!.event;
    expect(end.case === "end" && end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
  });

  it("maxOutputTokens -> LENGTH; JSON_OBJECT -> JSON text", async () => {
    const cut = await provider().generate(chat("gemini-2.0-flash", "a b c d e", { sampling: { maxTokens: 2 } }), call());
    expect(cut.finishReason).toBe(FinishReason.LENGTH);
    expect(cut.message?.content[0]?.part.value).toBe("echo: a");
    const json = await provider().generate(chat("gemini-2.0-flash", "hi", { responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), call());
    expect(JSON.parse(json.message?.content[0]?.part.value as string)).toEqual({ echo: "echo: hi" });
  });

  it("safety: a blocked prompt is InvalidArgument, a withheld answer FailedPrecondition (generate and stream)", async () => {
    const p = provider();
    const prompt = await caught(() => p.generate(chat("gemini-2.0-flash", "this gets blocked"), call()));
    expectError(prompt, Code.InvalidArgument, 'provider "gem" blocked the prompt (blockReason SAFETY; safety ratings: HARM_CATEGORY_DANGEROUS_CONTENT=HIGH (blocked))');
    expectError(await caught(() => collect(p.generateStream(chat("gemini-2.0-flash", "this gets blocked"), call()))), Code.InvalidArgument, 'provider "gem" blocked the prompt');
    const answer = await caught(() => p.generate(chat("gemini-2.0-flash", "something unsafe"), call()));
    expectError(answer, Code.FailedPrecondition, 'provider "gem" withheld the answer (finishReason SAFETY; safety ratings: HARM_CATEGORY_HARASSMENT=HIGH (blocked))');
    expectError(await caught(() => collect(p.generateStream(chat("gemini-2.0-flash", "something unsafe"), call()))), Code.FailedPrecondition, 'provider "gem" withheld the answer');
  });

  it("embed: batchEmbedContents, vectors in input order with the requested dimensions", async () => {
    const res = await provider().embed(create(EmbedRequestSchema, { model: "text-embedding-004", inputs: ["alpha", "beta"], dimensions: 4 }), call());
    expect(res.embeddings.map((e) => e.index)).toEqual([0, 1]);
    expect(res.embeddings[0]!.values).toEqual(fakeVector("alpha", 4));
    expect(res.embeddings[1]!.values).toEqual(fakeVector("beta", 4));
    const [req] = await requests();
    expect(req).toMatchObject({ path: "/v1beta/models/text-embedding-004:batchEmbedContents" });
  });

  it("listModels: follows nextPageToken, strips models/, keeps chat and embedding models only", async () => {
    const ids = await provider().listModels(call());
    expect(ids).toEqual(["gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-pro", "text-embedding-004", "gemini-embedding-001"]);
    const pages = await requests();
    expect(pages.map((r) => [r.method, r.path, Boolean(r.query.pageToken)])).toEqual([["GET", "/v1beta/models", false], ["GET", "/v1beta/models", true]]);
  });
});

describe("failures", () => {
  const cases: [string, Code, string][] = [
    ["fake-403", Code.PermissionDenied, 'provider "gem" answered HTTP 403: You do not have permission'],
    ["fake-404", Code.NotFound, 'provider "gem" answered HTTP 404: models/fake-404 is not found'],
    ["fake-429", Code.ResourceExhausted, 'provider "gem" answered HTTP 429: You exceeded your current quota'],
    ["fake-500", Code.Internal, 'provider "gem" answered HTTP 500: An internal error'],
    ["fake-503", Code.Unavailable, 'provider "gem" answered HTTP 503: The model is overloaded'],
  ];
  it.each(cases)("%s -> %s for generate, stream and embed", async (model, code, prefix) => {
    const p = provider();
    expectError(await caught(() => p.generate(chat(model), call())), code, prefix);
    expectError(await caught(() => collect(p.generateStream(chat(model), call()))), code, prefix);
    expectError(await caught(() => p.embed(create(EmbedRequestSchema, { model, inputs: ["x"] }), call())), code, prefix);
  });

  it("429 keeps retry-after", async () => {
    const err = await caught(() => provider().generate(chat("fake-429"), call()));
    expect(err.metadata.get("retry-after")).toBe("7");
  });

  it("mid-stream error, reset socket, malformed chunk, missing finish", async () => {
    const p = provider();
    const run = async (model: string) => {
      const seen: string[] = [];
      const err = await caught(async () => {
        for await (const e of p.generateStream(chat(model, "one two"), call())) seen.push(e.event.case ?? "");
      });
      return { err, seen };
    };
    const midStream = await run("fake-stream-error");
    expectError(midStream.err, Code.Internal, 'provider "gem" failed mid-stream: An internal error has occurred');
    expect(midStream.seen).toEqual(["start", "text"]);
    expectError((await run("fake-reset")).err, Code.Unavailable, 'provider "gem" is unreachable');
    expectError((await run("fake-malformed")).err, Code.Internal, 'provider "gem" sent a stream chunk that is not JSON');
    expectError((await run("fake-no-finish")).err, Code.Unavailable, 'provider "gem" ended the stream before it finished');
    expectError(await caught(() => p.generate(chat("fake-reset"), call())), Code.Unavailable, 'provider "gem" is unreachable');
    expectError(await caught(() => p.generate(chat("fake-malformed"), call())), Code.Internal, 'provider "gem" answered with invalid JSON');
  });

  it("a slow first byte past first_byte_ms is DeadlineExceeded", async () => {
    expectError(await caught(() => provider({ limits: { firstByteMs: 300 } }).generate(chat("fake-slow-first-byte"), call())), Code.DeadlineExceeded, 'provider "gem" timed out');
    // The timed-out request is dropped, not left waiting upstream.
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-slow-first-byte");
  });

  it("breaking out of a stream closes the upstream connection mid-stream", async () => {
    const ac = new AbortController();
    let texts = 0;
    const err = await caught(async () => {
      for await (const e of provider().generateStream(chat("fake-long-stream"), call({ signal: ac.signal }))) {
        if (e.event.case === "text" && ++texts === 3) {
          ac.abort();
        }
      }
    });
    expect(Code[err.code]).toBe("Canceled");
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    expect(closed).toMatchObject({ path: "/v1beta/models/fake-long-stream:streamGenerateContent" });
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(10);
  });
});
