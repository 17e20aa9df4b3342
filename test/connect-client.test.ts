// The generated TS client (Connect) against a real `hoosh serve` process over three transports on the
// one port: gRPC over h2c, Connect over HTTP/1.1 and gRPC-Web over HTTP/1.1; plus plain fetch (HTTP/1.1)
// and raw node:http2 requests to the same port.
import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FinishReason, Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService, type GenerateStreamResponse } from "../gen/ts/hoosh/v1/inference_pb.js";
import { GetModelRequestSchema, GetModelResponseSchema, Locality, ModelsService } from "../gen/ts/hoosh/v1/models_pb.js";
import { embed as fakeEmbedding } from "./fakes/openai/embeddings.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { startHoosh, type Hoosh } from "./harness/hoosh.js";

// Patterns restricted on purpose: the fake also lists "text-embedding-3-small", which no pattern matches.
const config = (baseUrl: string) => `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[[providers]]
name = "fake"
type = "openai"
base_url = "${baseUrl}"
models = ["fake-*", "gpt-*"]
timeouts = { connect_ms = 1000, first_byte_ms = 5000, idle_ms = 5000 }
`;

// Real processes on a shared machine: generous per-test time limits (assertions carry their own bounds).
vi.setConfig({ testTimeout: 20_000 });

let fake: FakeOpenAI;
let hoosh: Hoosh;
const h2Sessions: Http2SessionManager[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(config(fake.baseUrl));
}, 30_000);

afterAll(async () => {
  for (const s of h2Sessions) s.abort();
  await hoosh?.stop();
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const TRANSPORTS: [string, (baseUrl: string) => Transport][] = [
  [
    "gRPC (h2c)",
    (baseUrl) => {
      const sessionManager = new Http2SessionManager(baseUrl);
      h2Sessions.push(sessionManager);
      return createGrpcTransport({ baseUrl, sessionManager });
    },
  ],
  ["Connect (HTTP/1.1)", (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" })],
  ["gRPC-Web (HTTP/1.1)", (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
];

const text = (value: string) => [{ part: { case: "text" as const, value } }];
const chat = (model: string, prompt: string) => ({ model, messages: [{ role: Role.USER, content: text(prompt) }] });
const textOf = (m: { content: { part: { case?: string; value?: unknown } }[] } | undefined) =>
  (m?.content ?? []).map((p) => (p.part.case === "text" ? (p.part.value as string) : "")).join("");

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

async function rejection(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

describe.each(TRANSPORTS)("over %s", (_name, makeTransport) => {
  let inference: Client<typeof InferenceService>;
  let models: Client<typeof ModelsService>;

  beforeAll(() => {
    const transport = makeTransport(hoosh.url);
    inference = createClient(InferenceService, transport);
    models = createClient(ModelsService, transport);
  });

  it("Generate returns the fake's echo with usage", async () => {
    const res = await inference.generate(chat("fake-model", "hello connect"));
    expect(textOf(res.message)).toBe("echo: hello connect");
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ provider: "fake", outputTokens: 3 });
  });

  it("GenerateStream sends start, text deltas and an end with the assembled message", async () => {
    const events: GenerateStreamResponse["event"][] = [];
    for await (const res of inference.generateStream(chat("fake-model", "a b c"))) events.push(res.event);
    expect(events.map((e) => e.case)).toEqual(["start", "text", "text", "text", "text", "end"]);
    const end = events.at(-1)!;
    if (end.case !== "end") throw new Error("no end event");
    expect(textOf(end.value.message)).toBe("echo: a b c");
    expect(end.value.finishReason).toBe(FinishReason.STOP);
    expect(end.value.usage?.provider).toBe("fake");
  });

  it("GenerateStream delivers events incrementally, and aborting the call closes the upstream request", async () => {
    // fake-long-stream: 1200 chunks 50 ms apart (~60 s in total).
    // Cancel with an AbortSignal: with connect-node 2.1.2 a bare `break` out of the loop does not
    // cancel the call (the HTTP stream stays open), so the signal is how a client cancels.
    const abort = new AbortController();
    const started = performance.now();
    const seen: { event: GenerateStreamResponse["event"]; at: number }[] = [];
    const err = await rejection(
      (async () => {
        for await (const res of inference.generateStream(chat("fake-long-stream", "go"), { signal: abort.signal })) {
          seen.push({ event: res.event, at: performance.now() - started });
          if (seen.length === 12) abort.abort();
        }
      })(),
    );
    expect(Code[err.code]).toBe(Code[Code.Canceled]);
    expect(seen.map((s) => s.event.case)).toEqual(["start", ...Array(11).fill("text")]);
    // Long before the stream would end (~60 s), and trickling: 10 gaps of ~50 ms, not one batch.
    expect(seen[11]!.at).toBeLessThan(5_000);
    expect(seen[11]!.at - seen[1]!.at).toBeGreaterThan(200);
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 3_000);
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(200);
  });

  it("Embed returns one vector per input, in input order", async () => {
    const inputs = ["first input", "second input"];
    const res = await inference.embed({ model: "fake-embedding", inputs });
    expect(res.embeddings.map((e) => e.index)).toEqual([0, 1]);
    // The fake's vectors are deterministic float32 values: compare exactly.
    expect(res.embeddings.map((e) => e.values)).toEqual(inputs.map((t) => fakeEmbedding(t)));
    expect(res.usage?.provider).toBe("fake");
  });

  it("ListModels shows the upstream's models that the provider's patterns match", async () => {
    const res = await models.listModels({});
    expect(res.models.map((m) => m.id)).toEqual(["fake-model", "gpt-4o", "gpt-4o-mini"]);
    for (const m of res.models) expect(m).toMatchObject({ provider: "fake", providerType: "openai", locality: Locality.LOCAL });
  });

  it("GetModel describes a served model", async () => {
    const res = await models.getModel({ id: "gpt-4o" });
    expect(res.model).toMatchObject({ id: "gpt-4o", provider: "fake", providerType: "openai" });
  });

  it.each(["llama-3", "text-embedding-3-small"])("GetModel %s (no pattern matches) is NOT_FOUND", async (id) => {
    const err = await rejection(models.getModel({ id }));
    expect(Code[err.code]).toBe(Code[Code.NotFound]);
    expect(err.rawMessage).toContain(id);
  });

  it("Generate returns a tool call with JSON arguments", async () => {
    const res = await inference.generate({ ...chat("fake-model", "please call tool get_weather"), tools: [WEATHER_TOOL] });
    expect(res.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(res.message?.toolCalls).toHaveLength(1);
    const call = res.message!.toolCalls[0]!;
    expect(call.name).toBe("get_weather");
    expect(call.id).not.toBe("");
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
  });

  it("GenerateStream returns tool-call deltas that assemble into JSON arguments", async () => {
    const deltas = [];
    let end: Extract<GenerateStreamResponse["event"], { case: "end" }>["value"] | undefined;
    for await (const res of inference.generateStream({ ...chat("fake-model", "call tool now"), tools: [WEATHER_TOOL] })) {
      if (res.event.case === "toolCall") deltas.push(res.event.value);
      if (res.event.case === "end") end = res.event.value;
    }
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas[0]).toMatchObject({ index: 0, name: "get_weather" });
    expect(deltas.every((d) => d.index === 0)).toBe(true);
    expect(JSON.parse(deltas.map((d) => d.argumentsDelta).join(""))).toEqual({ city: "Paris" });

    expect(end?.finishReason).toBe(FinishReason.TOOL_CALLS);
    const calls = end?.message?.toolCalls ?? [];
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: deltas[0]!.id, name: "get_weather" });
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ city: "Paris" });
  });
});

describe("plain fetch (HTTP/1.1)", () => {
  it("POST Connect JSON to ModelsService/ListModels", async () => {
    const res = await fetch(`${hoosh.url}/hoosh.v1.ModelsService/ListModels`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as { models: { id: string; provider: string }[] };
    expect(body.models.map((m) => m.id)).toEqual(["fake-model", "gpt-4o", "gpt-4o-mini"]);
    expect(body.models[0]!.provider).toBe("fake");
  });

  it("GET with ?connect=v1&encoding=json&message={} (idempotent method)", async () => {
    const res = await fetch(`${hoosh.url}/hoosh.v1.ModelsService/ListModels?connect=v1&encoding=json&message=%7B%7D`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as { models: { id: string }[] };
    expect(body.models.map((m) => m.id)).toContain("gpt-4o");
  });

  it("an unknown path is 404 with a JSON error", async () => {
    const res = await fetch(`${hoosh.url}/no/such/path`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.message).toContain("/no/such/path");
  });
});

describe("raw node:http2 on the same port", () => {
  let session: http2.ClientHttp2Session;
  beforeAll(async () => {
    session = http2.connect(hoosh.url);
    await new Promise<void>((resolve, reject) => session.once("connect", () => resolve()).once("error", reject));
  });
  afterAll(() => session?.close());

  function request(headers: http2.OutgoingHttpHeaders, body?: Buffer | string) {
    return new Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = session.request(headers, { endStream: body === undefined });
      let responseHeaders: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      req.on("response", (h) => (responseHeaders = h));
      req.on("trailers", (t) => (trailers = t));
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve({ headers: responseHeaders, trailers, body: Buffer.concat(chunks) }));
      req.on("error", reject);
      if (body !== undefined) req.end(body);
    });
  }

  it("speaks HTTP/2 (h2c prior knowledge): Connect JSON POST", async () => {
    const res = await request({ ":method": "POST", ":path": "/hoosh.v1.ModelsService/ListModels", "content-type": "application/json" }, "{}");
    expect(res.headers[":status"]).toBe(200);
    const body = JSON.parse(res.body.toString("utf8")) as { models: { id: string }[] };
    expect(body.models.map((m) => m.id)).toContain("fake-model");
  });

  it("answers a hand-framed gRPC call with a framed message and grpc-status 0 in trailers", async () => {
    const message = toBinary(GetModelRequestSchema, create(GetModelRequestSchema, { id: "gpt-4o-mini" }));
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from(message)]);
    frame.writeUInt32BE(message.length, 1);
    const res = await request({ ":method": "POST", ":path": "/hoosh.v1.ModelsService/GetModel", "content-type": "application/grpc", te: "trailers" }, frame);
    expect(res.headers[":status"]).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/grpc/);
    expect(res.trailers["grpc-status"]).toBe("0");
    expect(res.body[0]).toBe(0); // not compressed
    expect(res.body.readUInt32BE(1)).toBe(res.body.length - 5);
    const decoded = fromBinary(GetModelResponseSchema, res.body.subarray(5));
    expect(decoded.model).toMatchObject({ id: "gpt-4o-mini", provider: "fake" });
  });

  it("an unknown path is 404 over HTTP/2 too", async () => {
    const res = await request({ ":method": "GET", ":path": "/nope" });
    expect(res.headers[":status"]).toBe(404);
    expect(JSON.parse(res.body.toString("utf8"))).toMatchObject({ error: { code: "not_found" } });
  });
});
