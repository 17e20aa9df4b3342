// OpenAIProvider against the fake upstream (separate process) and, for
// malformed answers the fake never gives, a tiny in-test HTTP server.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { OpenAIProvider } from "../../server/providers/openai/client.js";
import type { CallContext } from "../../server/providers/provider.js";
import { Transport, type TransportLimits } from "../../server/providers/transport.js";
import { startFakeOpenAI, type FakeOpenAI, type FakeRequestEvent } from "../fakes/spawn.js";
import { caught, expectError } from "./helpers.js";

const API_KEY = "sk-unit-test";
let fake: FakeOpenAI;
let odd: http.Server;
let oddUrl: string;
const transport = new Transport();
const extraTransports: Transport[] = [];

/** Answers that the fake never gives: JSON to a stream request, invalid JSON. */
function oddServer(): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url === "/v1/chat/completions" && req.headers["x-odd"] === "json-to-stream") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "cmpl-json",
            model: "odd-model",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: "whole answer", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
                finish_reason: "tool_calls",
              },
            ],
            usage: { prompt_tokens: 3, completion_tokens: 2 },
          }),
        );
        return;
      }
      if (req.headers["x-odd"] === "html-error") {
        res.writeHead(502, { "content-type": "text/html" });
        res.end("<html><body>Bad Gateway</body></html>");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{not json");
    });
  });
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: API_KEY, slowMs: 5_000 });
  odd = oddServer();
  await new Promise<void>((resolve) => odd.listen(0, "127.0.0.1", resolve));
  oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}/v1`;
}, 20_000);

afterAll(async () => {
  await Promise.all([transport, ...extraTransports].map((t) => t.close()));
  await new Promise<void>((resolve) => (odd ? odd.close(() => resolve()) : resolve()));
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const LIMITS: TransportLimits = { connectMs: 2_000, firstByteMs: 10_000, idleMs: 10_000, maxConnections: 4 };

function provider(opts: { apiKey?: string; baseUrl?: string; headers?: Record<string, string>; limits?: Partial<TransportLimits>; name?: string } = {}) {
  return new OpenAIProvider(
    {
      name: opts.name ?? "fake",
      baseUrl: opts.baseUrl ?? `${fake.baseUrl}/`,
      apiKey: "apiKey" in opts ? opts.apiKey : API_KEY,
      headers: opts.headers ?? {},
      locality: Locality.LOCAL,
      limits: { ...LIMITS, ...opts.limits },
    },
    // Distinct limits need their own pools (the first caller's limits size a pool).
    opts.limits ? own(new Transport()) : transport,
  );
}

function own(t: Transport): Transport {
  extraTransports.push(t);
  return t;
}

const chat = (model: string, text = "hello world") =>
  create(GenerateRequestSchema, { model, messages: [{ role: Role.USER, content: [{ part: { case: "text", value: text } }] }] });

const call = (extra: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, requestId: "req-unit-1", ...extra });

async function collect(stream: AsyncIterable<GenerateStreamResponse>): Promise<GenerateStreamResponse[]> {
  const out: GenerateStreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

async function lastRequest(): Promise<FakeRequestEvent> {
  const requests = (await fake.events()).filter((e): e is FakeRequestEvent => e.type === "request");
  expect(requests.length).toBeGreaterThan(0);
  return requests.at(-1)!;
}

describe("requests on the wire", () => {
  it("generate posts the translated body with auth, user agent, request id and trace headers", async () => {
    const res = await provider({ headers: { "x-extra": "1" } }).generate(chat("gpt-4o-mini"), call({ forwardHeaders: { traceparent: "00-trace-span-01" } }));
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello world" });
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.id).toMatch(/^chatcmpl-/);
    const req = await lastRequest();
    expect(req).toMatchObject({ method: "POST", path: "/v1/chat/completions", model: "gpt-4o-mini", stream: false });
    expect(req.headers).toEqual({ authorization: true, "user-agent": "hoosh/0.1", traceparent: "00-trace-span-01", "x-request-id": "req-unit-1" });
    expect(req.body).toEqual({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello world" }] });
  });

  it("generateStream asks for a stream with usage", async () => {
    const events = await collect(provider().generateStream(chat("gpt-4o-mini"), call()));
    expect(events.map((e) => e.event.case)).toEqual(["start", "text", "text", "text", "end"]);
    const end = events.at(-1)!.event;
    if (end.case !== "end") throw new Error("no end");
    expect(end.value.usage?.inputTokens).toBeGreaterThan(0);
    expect((await lastRequest()).body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("embed and listModels", async () => {
    const p = provider();
    const res = await p.embed(create(EmbedRequestSchema, { model: "text-embedding-3-small", inputs: ["x", "y z"] }), call());
    expect(res.embeddings).toHaveLength(2);
    expect(res.usage?.inputTokens).toBe(3);
    expect((await lastRequest()).body).toEqual({ model: "text-embedding-3-small", input: ["x", "y z"], encoding_format: "float" });
    expect(await p.listModels(call())).toEqual(["gpt-4o-mini", "gpt-4o", "fake-model", "text-embedding-3-small"]);
  });
});

describe("upstream errors", () => {
  it("a wrong API key → Unauthenticated with OpenAI's message", async () => {
    const err = await caught(() => provider({ apiKey: "sk-wrong" }).generate(chat("gpt-4o-mini"), call()));
    expectError(err, Code.Unauthenticated, 'provider "fake" answered HTTP 401: Incorrect API key provided');
    expect(err.rawMessage).toContain("(code=invalid_api_key)");
    expect(err.rawMessage).not.toContain("sk-wrong");
    expectError(await caught(() => provider({ apiKey: undefined }).listModels(call())), Code.Unauthenticated, 'provider "fake" answered HTTP 401');
  });

  it.each([
    ["fake-400", Code.InvalidArgument],
    ["fake-403", Code.PermissionDenied],
    ["fake-404", Code.NotFound],
    ["fake-500", Code.Unavailable],
    ["fake-503", Code.Unavailable],
  ])("%s → %s", async (model, code) => {
    expect(Code[(await caught(() => provider().generate(chat(model), call()))).code]).toBe(Code[code]);
    expect(Code[(await caught(() => collect(provider().generateStream(chat(model), call())))).code]).toBe(Code[code]);
  });

  it("429 → ResourceExhausted with retry-after", async () => {
    const err = await caught(() => provider().embed(create(EmbedRequestSchema, { model: "fake-429", inputs: ["a"] }), call()));
    expectError(err, Code.ResourceExhausted, 'provider "fake" answered HTTP 429: Rate limit reached');
    expect(err.metadata.get("retry-after")).toBe("7");
  });

  it("a slow first byte past firstByteMs → DeadlineExceeded", async () => {
    const err = await caught(() => provider({ limits: { firstByteMs: 200 } }).generate(chat("fake-slow-first-byte"), call()));
    expectError(err, Code.DeadlineExceeded, 'provider "fake" timed out (UND_ERR_HEADERS_TIMEOUT)');
  });

  it("a stalled stream past idleMs → DeadlineExceeded after the start event", async () => {
    const seen: string[] = [];
    const err = await caught(async () => {
      for await (const e of provider({ limits: { idleMs: 200 } }).generateStream(chat("fake-stall-stream"), call())) seen.push(e.event.case ?? "");
    });
    expectError(err, Code.DeadlineExceeded, 'provider "fake" timed out (UND_ERR_BODY_TIMEOUT)');
    expect(seen).toEqual(["start"]);
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-stall-stream");
  });
});

describe("odd upstreams", () => {
  it("a JSON answer to a stream request is replayed as stream events", async () => {
    const p = provider({ baseUrl: oddUrl, headers: { "x-odd": "json-to-stream" } });
    const events = await collect(p.generateStream(chat("m"), call()));
    expect(events.map((e) => e.event.case)).toEqual(["start", "text", "toolCall", "end"]);
    expect(events[0]!.event.value).toMatchObject({ id: "cmpl-json", model: "odd-model" });
    expect(events[1]!.event.value).toMatchObject({ text: "whole answer" });
    expect(events[2]!.event.value).toMatchObject({ index: 0, id: "c1", name: "f", argumentsDelta: "{}" });
    expect(events[3]!.event.value).toMatchObject({ finishReason: FinishReason.TOOL_CALLS, usage: { inputTokens: 3, outputTokens: 2 } });
  });

  it("invalid JSON → Internal", async () => {
    const err = await caught(() => provider({ baseUrl: oddUrl }).generate(chat("m"), call()));
    expectError(err, Code.Internal, 'provider "fake" answered with invalid JSON: {not json');
  });

  it("an HTML error page → Unavailable with the page text", async () => {
    const err = await caught(() => provider({ baseUrl: oddUrl, headers: { "x-odd": "html-error" } }).listModels(call()));
    expectError(err, Code.Unavailable, 'provider "fake" answered HTTP 502: <html><body>Bad Gateway</body></html>');
  });
});
