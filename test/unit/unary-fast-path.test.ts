// The gRPC unary fast path (server/rpc/unary-fast-path.ts) on a real HTTP/2 server, driven by
// connect-node's gRPC client: which requests it takes (and which it leaves to Connect), and that
// it keeps Connect's contract: interceptors in order with context values, request headers,
// response headers and trailers, errors with details and metadata, deadlines, the size limit,
// and a client cancel reaching the handler's signal. (The Connect conformance suite checks the
// whole handler, fast path included: test/conformance.)
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createContextKey, type ConnectRouter, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateResponseSchema, InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { createUnaryFastPath } from "../../server/rpc/unary-fast-path.js";

const SEEN = createContextKey<string[]>([]);
const order: string[] = [];
let lastSignal: AbortSignal | undefined;
let cancelled: unknown;
let fallback = 0;

const routes = (r: ConnectRouter) => {
  r.service(InferenceService, {
    async generate(req, ctx: HandlerContext) {
      order.push("handler");
      lastSignal = ctx.signal;
      if (req.model === "fail") {
        throw new ConnectError("no such model", Code.NotFound, { "x-why": "test" }, [{ desc: GenerateResponseSchema, value: create(GenerateResponseSchema, { id: "detail" }) }]);
      }
      if (req.model === "crash") throw new Error("secret internals");
      if (req.model === "wait") {
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        cancelled = ctx.signal.reason;
        throw ctx.signal.reason;
      }
      ctx.responseHeader.set("x-request-id", ctx.requestHeader.get("x-request-id") ?? "none");
      ctx.responseTrailer.set("x-trailer", "t");
      // A plain init object is turned into the message, as Connect does.
      return { id: `${req.model}:${ctx.values.get(SEEN).join(",")}:${String(ctx.timeoutMs() !== undefined)}` };
    },
  });
};

const interceptor = (name: string): Interceptor => (next) => async (req) => {
  order.push(name);
  req.contextValues.set(SEEN, [...req.contextValues.get(SEEN), name]);
  const res = await next(req);
  res.header.set(`x-${name}`, "1");
  return res;
};

let server: http2.Http2Server;
const sessions = new Set<http2.ServerHttp2Session>();
let url: string;
beforeAll(async () => {
  const fast = createUnaryFastPath({ routes, interceptors: [interceptor("outer"), interceptor("inner")], readMaxBytes: 64 });
  server = http2.createServer((req, res) => {
    if (fast(req, res)) return;
    fallback++;
    res.writeHead(404);
    res.end();
  });
  server.on("session", (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  // The clients keep their sessions open: end them, or close() waits for them.
  for (const session of sessions) session.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const ask = (model: string, text = "hi") => ({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }] });

describe("the gRPC unary fast path", () => {
  it("serves a binary gRPC unary call: interceptors in order, context values, headers and trailers", async () => {
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: url }));
    order.length = 0;
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await client.generate(ask("m"), { headers: { "x-request-id": "req-7" }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) });
    expect(res.id).toBe("m:outer,inner:false");
    expect(order).toEqual(["outer", "inner", "handler"]);
    expect(header?.get("x-request-id")).toBe("req-7");
    expect(header?.get("x-outer")).toBe("1");
    expect(header?.get("content-type")).toBe("application/grpc+proto");
    expect(trailer?.get("x-trailer")).toBe("t");
    expect(fallback).toBe(0);
  });

  it("a deadline is the handler's timeoutMs and aborts its signal with DEADLINE_EXCEEDED", async () => {
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: url }));
    expect((await client.generate(ask("m"), { timeoutMs: 60_000 })).id).toBe("m:outer,inner:true");
    const err = (await client.generate(ask("wait"), { timeoutMs: 50 }).catch((e: unknown) => e)) as ConnectError;
    expect(err.code).toBe(Code.DeadlineExceeded);
  });

  it("errors: code, message, details and metadata as Connect sends them; a foreign exception is 'internal error'", async () => {
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: url }));
    const err = (await client.generate(ask("fail")).catch((e: unknown) => e)) as ConnectError;
    expect([err.code, err.rawMessage, err.metadata.get("x-why")]).toEqual([Code.NotFound, "no such model", "test"]);
    expect(err.findDetails(GenerateResponseSchema).map((d) => d.id)).toEqual(["detail"]);
    const crash = (await client.generate(ask("crash")).catch((e: unknown) => e)) as ConnectError;
    expect([crash.code, crash.rawMessage]).toEqual([Code.Internal, "internal error"]);
  });

  it("a message over readMaxBytes is RESOURCE_EXHAUSTED", async () => {
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: url }));
    const err = (await client.generate(ask("m", "x".repeat(200))).catch((e: unknown) => e)) as ConnectError;
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toMatch(/larger than configured readMaxBytes 64/);
  });

  it("a client cancel aborts the handler's signal", async () => {
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: url }));
    const caller = new AbortController();
    cancelled = undefined;
    const pending = client.generate(ask("wait"), { signal: caller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    caller.abort();
    await pending;
    for (let i = 0; i < 100 && cancelled === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lastSignal?.aborted).toBe(true);
    expect((cancelled as ConnectError).code).toBe(Code.Canceled);
  });

  it("leaves the rest to Connect: JSON codec, compressed requests, HTTP/1.1, other methods and paths", async () => {
    const session = http2.connect(url);
    const status = (headers: http2.OutgoingHttpHeaders) =>
      new Promise<number>((resolve, reject) => {
        const s = session.request({ ":method": "POST", ...headers });
        s.on("response", (h) => resolve(Number(h[":status"])));
        s.on("error", reject);
        s.end(Buffer.from([0, 0, 0, 0, 0]));
        s.resume();
      });
    const before = fallback;
    const path = "/hoosh.v1.InferenceService/Generate";
    expect(await status({ ":path": path, "content-type": "application/grpc+json" })).toBe(404);
    expect(await status({ ":path": path, "content-type": "application/grpc", "grpc-encoding": "gzip" })).toBe(404);
    expect(await status({ ":path": path, "content-type": "application/grpc-web+proto" })).toBe(404);
    expect(await status({ ":path": path, "content-type": "application/proto" })).toBe(404);
    expect(await status({ ":path": "/hoosh.v1.InferenceService/GenerateStream", "content-type": "application/grpc" })).toBe(404);
    expect(fallback - before).toBe(5);
    // identity compression is the fast path's: an empty message is the request (all fields default).
    expect(await status({ ":path": path, "content-type": "application/grpc", "grpc-encoding": "identity" })).toBe(200);
    expect(fallback - before).toBe(5);
    session.close();
  });
});
