// OllamaProvider against the fake Ollama (its own process): what goes on the
// wire, what comes back, and how failures map to gRPC codes.
import net from "node:net";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, ResponseFormat_Type, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { OllamaProvider } from "../../server/providers/ollama/client.js";
import type { CallContext } from "../../server/providers/provider.js";
import { Transport, type TransportLimits } from "../../server/providers/transport.js";
import { startFakeOllama, type FakeOllama, type FakeOllamaRequestEvent } from "../fakes/spawn-ollama.js";
import { caught, expectError } from "../unit/helpers.js";

const API_KEY = "proxy-token";
let fake: FakeOllama;
const transport = new Transport();
const extraTransports: Transport[] = [];

beforeAll(async () => {
  fake = await startFakeOllama({ apiKey: API_KEY, slowMs: 5_000 });
}, 20_000);

afterAll(async () => {
  await Promise.all([transport, ...extraTransports].map((t) => t.close()));
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const LIMITS: TransportLimits = { connectMs: 2_000, firstByteMs: 10_000, idleMs: 10_000, maxConnections: 4 };

function provider(opts: { apiKey?: string; baseUrl?: string; limits?: Partial<TransportLimits> } = {}) {
  const own = opts.limits ? new Transport() : transport;
  if (opts.limits) extraTransports.push(own);
  return new OllamaProvider(
    { name: "ollama", baseUrl: opts.baseUrl ?? `${fake.baseUrl}/`, apiKey: "apiKey" in opts ? opts.apiKey : API_KEY, headers: {}, locality: Locality.LOCAL, limits: { ...LIMITS, ...opts.limits } },
    own,
  );
}

type ChatInit = Extract<MessageInitShape<typeof GenerateRequestSchema>, { $typeName?: undefined }>;
const text = (value: string) => ({ part: { case: "text" as const, value } });
const chat = (model: string, prompt = "hello world", init: ChatInit = {}) =>
  create(GenerateRequestSchema, { model, messages: [{ role: Role.USER, content: [text(prompt)] }], ...init });
const call = (extra: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, requestId: "req-ollama-1", ...extra });
const WEATHER = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

async function collect(stream: AsyncIterable<GenerateStreamResponse>): Promise<GenerateStreamResponse[]> {
  const out: GenerateStreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

async function requests(): Promise<FakeOllamaRequestEvent[]> {
  return (await fake.events()).filter((e): e is FakeOllamaRequestEvent => e.type === "request");
}

async function lastRequest(): Promise<FakeOllamaRequestEvent> {
  const all = await requests();
  expect(all.length).toBeGreaterThan(0);
  return all.at(-1)!;
}

describe("generate", () => {
  it("posts stream:false (Ollama streams by default) with auth, user agent, request id and trace headers", async () => {
    const res = await provider().generate(chat("llama3.2"), call({ forwardHeaders: { traceparent: "00-trace-span-01" } }));
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello world" });
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.model).toBe("llama3.2");
    expect(res.usage).toMatchObject({ inputTokens: 5, outputTokens: 3 });
    const req = await lastRequest();
    expect(req).toMatchObject({ method: "POST", path: "/api/chat", model: "llama3.2", stream: false });
    expect(req.headers).toEqual({ authorization: true, "user-agent": "hoosh/0.1", traceparent: "00-trace-span-01", "x-request-id": "req-ollama-1", accept: "application/json" });
    expect(req.body).toEqual({ model: "llama3.2", messages: [{ role: "user", content: "hello world" }], stream: false });
  });

  it("a tool call comes back with a synthesised id and JSON arguments; the result goes back named", async () => {
    const p = provider();
    const first = await p.generate(chat("llama3.2", "call tool get_weather", { tools: [WEATHER] }), call());
    expect(first.finishReason).toBe(FinishReason.TOOL_CALLS);
    const tc = first.message!.toolCalls[0]!;
    expect({ id: tc.id, name: tc.name, arguments: tc.arguments }).toEqual({ id: "call_0", name: "get_weather", arguments: '{"city":"Paris"}' });

    const second = await p.generate(
      create(GenerateRequestSchema, {
        model: "llama3.2",
        tools: [WEATHER],
        messages: [{ role: Role.USER, content: [text("call tool get_weather")] }, first.message!, { role: Role.TOOL, toolCallId: tc.id, content: [text('{"temp":21}')] }],
      }),
      call(),
    );
    expect(second.finishReason).toBe(FinishReason.STOP);
    expect((await lastRequest()).body).toMatchObject({
      messages: [
        { role: "user" },
        { role: "assistant", content: "", tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }] },
        { role: "tool", content: '{"temp":21}', tool_name: "get_weather" },
      ],
    });
  });

  it("options, format json and num_predict → LENGTH", async () => {
    const res = await provider().generate(chat("llama3.2", "one two three four", { sampling: { maxTokens: 2, temperature: 0.1, seed: 7n } }), call());
    expect(res.finishReason).toBe(FinishReason.LENGTH);
    expect((await lastRequest()).body).toMatchObject({ options: { num_predict: 2, temperature: 0.1, seed: 7 } });
    const json = await provider().generate(chat("llama3.2", "as json", { responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), call());
    const part = json.message?.content[0]?.part;
    expect(part?.case === "text" && JSON.parse(part.value)).toEqual({ echo: "as json" });
  });

  it("images are sent as bare base64 the server accepts; an http URL fails before any request", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const image = { part: { case: "image" as const, value: { source: { case: "data" as const, value: png }, mimeType: "image/png" } } };
    await provider().generate(create(GenerateRequestSchema, { model: "llava:7b", messages: [{ role: Role.USER, content: [text("what?"), image] }] }), call());
    expect((await lastRequest()).body).toMatchObject({ messages: [{ content: "what?", images: ["iVBORw=="] }] });
    await fake.reset();
    const url = { part: { case: "image" as const, value: { source: { case: "url" as const, value: "https://example.com/a.png" } } } };
    const err = await caught(() => collect(provider().generateStream(create(GenerateRequestSchema, { model: "llava:7b", messages: [{ role: Role.USER, content: [url] }] }), call())));
    expectError(err, Code.InvalidArgument, "messages[0].content[0].image.url:");
    expect(await requests()).toHaveLength(0);
  });

  it("a thinking model's reasoning stays out of the answer's text (a reasoning part before it)", async () => {
    const res = await provider().generate(chat("fake-think", "why?"), call());
    expect(res.message?.content.map((c) => c.part.case)).toEqual(["reasoning", "text"]);
    expect(res.message?.content.filter((c) => c.part.case === "text").map((c) => c.part.value)).toEqual(["echo: why?"]);
  });
});

describe("generateStream", () => {
  it("reads NDJSON lines into start, text deltas and end with usage", async () => {
    const events = await collect(provider().generateStream(chat("llama3.2", "a b c"), call()));
    expect(events.map((e) => e.event.case)).toEqual(["start", "text", "text", "text", "text", "end"]);
    expect(events.slice(1, 5).map((e) => e.event.value && "text" in e.event.value && e.event.value.text).join("")).toBe("echo: a b c");
    expect(events.at(-1)!.event.value).toMatchObject({ finishReason: FinishReason.STOP, usage: { inputTokens: 6, outputTokens: 4 } });
    const req = await lastRequest();
    expect(req).toMatchObject({ stream: true, body: { stream: true } });
    expect(req.headers.accept).toBe("application/x-ndjson, application/json");
  });

  it("a tool call is one delta with id, name and the whole arguments", async () => {
    const events = await collect(provider().generateStream(chat("llama3.2", "please call tool", { tools: [WEATHER] }), call()));
    expect(events.map((e) => e.event.case)).toEqual(["start", "toolCall", "end"]);
    expect(events[1]!.event.value).toMatchObject({ index: 0, id: "call_0", name: "get_weather", argumentsDelta: '{"city":"Paris"}' });
    expect(events[2]!.event.value).toMatchObject({ finishReason: FinishReason.TOOL_CALLS });
  });

  it("thinking arrives as reasoning deltas", async () => {
    const events = await collect(provider().generateStream(chat("fake-think", "x"), call()));
    expect(events.map((e) => e.event.case)).toEqual(["start", "reasoning", "reasoning", "reasoning", "text", "text", "end"]);
  });

  it("an {\"error\"} line after two lines → Unavailable after the deltas", async () => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of provider().generateStream(chat("fake-stream-error", "a b c d"), call())) seen.push(e);
    });
    expectError(err, Code.Unavailable, 'provider "ollama" failed mid-stream: an error was encountered while running the model');
    expect(seen.map((e) => e.event.case)).toEqual(["start", "text", "text"]);
  });

  it("a connection dropped mid-stream → Unavailable; a non-JSON line → Internal", async () => {
    expectError(await caught(() => collect(provider().generateStream(chat("fake-reset", "a b c d"), call()))), Code.Unavailable, 'provider "ollama" is unreachable');
    expectError(await caught(() => collect(provider().generateStream(chat("fake-malformed", "a b c d"), call()))), Code.Internal, 'provider "ollama" sent a stream line that is not JSON: this line is not JSON');
  });
});

describe("embed and listModels", () => {
  it("embed posts input and dimensions and returns vectors in input order", async () => {
    const res = await provider().embed(create(EmbedRequestSchema, { model: "nomic-embed-text", inputs: ["first one", "second"], dimensions: 4 }), call());
    expect(res.embeddings.map((e) => [e.index, e.values.length])).toEqual([[0, 4], [1, 4]]);
    expect(res.usage?.inputTokens).toBe(3);
    expect((await lastRequest()).body).toEqual({ model: "nomic-embed-text", input: ["first one", "second"], dimensions: 4 });
  });

  it("listModels gives the names from /api/tags", async () => {
    expect(await provider().listModels(call())).toEqual(["llama3.2:latest", "qwen3:8b", "llava:7b", "nomic-embed-text:latest"]);
    expect(await lastRequest()).toMatchObject({ method: "GET", path: "/api/tags" });
  });
});

describe("upstream errors", () => {
  it("a missing model → NotFound with Ollama's message, for generate, generateStream and embed", async () => {
    const p = provider();
    const message = 'provider "ollama" answered HTTP 404: model "fake-404" not found, try pulling it first';
    expectError(await caught(() => p.generate(chat("fake-404"), call())), Code.NotFound, message);
    expectError(await caught(() => collect(p.generateStream(chat("fake-404"), call()))), Code.NotFound, message);
    expectError(await caught(() => p.embed(create(EmbedRequestSchema, { model: "fake-404", inputs: ["a"] }), call())), Code.NotFound, message);
  });

  it.each([
    ["fake-400", Code.InvalidArgument],
    ["fake-500", Code.Unavailable],
    ["fake-429", Code.ResourceExhausted],
  ])("%s → %s", async (model, code) => {
    const err = await caught(() => provider().generate(chat(model), call()));
    expect(Code[err.code]).toBe(Code[code]);
    if (code === Code.ResourceExhausted) expect(err.metadata.get("retry-after")).toBe("3");
    expect(Code[(await caught(() => collect(provider().generateStream(chat(model), call())))).code]).toBe(Code[code]);
  });

  it("a missing or wrong bearer token → Unauthenticated, without the token in the message", async () => {
    expectError(await caught(() => provider({ apiKey: undefined }).listModels(call())), Code.Unauthenticated, 'provider "ollama" answered HTTP 401: unauthorized');
    const err = await caught(() => provider({ apiKey: "wrong-token" }).generate(chat("llama3.2"), call()));
    expect(err.rawMessage).not.toContain("wrong-token");
  });

  it("a base_url ending in /v1 → NotFound with a hint", async () => {
    const err = await caught(() => provider({ baseUrl: `${fake.baseUrl}/v1` }).generate(chat("llama3.2"), call()));
    expectError(err, Code.NotFound, 'provider "ollama" answered HTTP 404: 404 page not found (is base_url the server root');
  });

  it("invalid JSON in a whole answer → Internal", async () => {
    expectError(await caught(() => provider().generate(chat("fake-malformed"), call())), Code.Internal, 'provider "ollama" answered with invalid JSON');
  });

  it("a slow first byte past firstByteMs → DeadlineExceeded; a refused connection → Unavailable", async () => {
    expectError(await caught(() => provider({ limits: { firstByteMs: 200 } }).generate(chat("fake-slow-first-byte"), call())), Code.DeadlineExceeded, 'provider "ollama" timed out (UND_ERR_HEADERS_TIMEOUT)');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expectError(await caught(() => provider({ baseUrl: `http://127.0.0.1:${port}` }).listModels(call())), Code.Unavailable, 'provider "ollama" is unreachable: ECONNREFUSED');
  });
});
