/**
 * gRPC unary calls without Connect's streaming plumbing. connect-node drives even a unary call
 * through async iterables (envelope split, parse, invoke, serialize, join), three Headers copies,
 * two AbortControllers and an abort with a DOMException at the end of every call: most of what a
 * gRPC Generate cost beyond the REST shim. This path serves exactly the common case and hands
 * everything else to Connect unchanged:
 *   HTTP/2, POST, `content-type: application/grpc` or `application/grpc+proto`, no request
 *   compression (`grpc-encoding` absent or identity), a unary method registered without
 *   per-service options.
 * Semantics kept (the Connect conformance suite runs through createRpcHandler, so it checks them):
 * the same interceptors in the same order and the same HandlerContext contract; the grpc-timeout
 * deadline, client cancellation (stream reset) and the shutdown signal abort ctx.signal; response
 * headers and trailers the handler sets; errors as grpc-status / grpc-message (percent-encoded) /
 * grpc-status-details-bin and their metadata, in a Trailers-Only response; connect's error codes and
 * messages for protocol faults (size limit, missing or extra message, compressed envelope, parse).
 * Responses are never compressed (a server may always answer identity).
 */
import http2 from "node:http2";
import { create, fromBinary, isMessage, toBinary, type DescMessage, type DescMethodUnary, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, createServiceImplSpec, type ConnectRouter, type HandlerContext, type Interceptor, type MethodImpl, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { contentTypeProto, parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { RecordHeaders } from "./record-headers.js";

type Request = http2.Http2ServerRequest;
type Response = http2.Http2ServerResponse;

interface UnaryMethod {
  service: DescService;
  method: DescMethodUnary;
  impl: (req: unknown, ctx: HandlerContext) => unknown;
}

export interface FastPathOptions {
  routes: (router: ConnectRouter) => void;
  interceptors?: Interceptor[] | undefined;
  readMaxBytes: number;
  shutdownSignal?: AbortSignal | undefined;
}

/** Whether a request may take the fast path (else Connect serves it). */
export type FastPath = (req: Request | import("node:http").IncomingMessage, res: Response | import("node:http").ServerResponse) => boolean;

const CONTENT_TYPES = new Set(["application/grpc", "application/grpc+proto"]);
const OK_TRAILERS = { "grpc-status": "0" };

/** The unary methods `routes` registers, by request path ("/pkg.Service/Method"). */
function unaryMethods(routes: FastPathOptions["routes"]): Map<string, UnaryMethod> {
  const found = new Map<string, UnaryMethod>();
  const capture = {
    handlers: [],
    service(service: DescService, implementation: object, options?: object) {
      // Per-service options (its own interceptors, limits) are Connect's business: leave it there.
      if (options && Object.keys(options).length > 0) return capture;
      const spec = createServiceImplSpec(service, implementation);
      for (const m of Object.values(spec.methods)) {
        if (m.kind !== "unary") continue;
        found.set(`/${service.typeName}/${m.method.name}`, { service, method: m.method, impl: m.impl as UnaryMethod["impl"] });
      }
      return capture;
    },
    rpc() {
      return capture; // single methods registered alone keep Connect's path
    },
  } as unknown as ConnectRouter;
  routes(capture);
  return found;
}

export function createUnaryFastPath(options: FastPathOptions): FastPath {
  const methods = unaryMethods(options.routes);
  const interceptors = options.interceptors ?? [];
  return (req, res) => {
    if (req.httpVersionMajor !== 2 || req.method !== "POST") return false;
    const h2req = req as Request;
    const target = methods.get(h2req.url);
    if (!target) return false;
    const headers = h2req.headers;
    const type = headers["content-type"];
    const encoding = headers["grpc-encoding"];
    if (type === undefined || !CONTENT_TYPES.has(type) || (encoding !== undefined && encoding !== "identity")) return false;
    void serve(h2req, res as Response, target, interceptors, options);
    return true;
  };
}

async function serve(req: Request, res: Response, target: UnaryMethod, interceptors: Interceptor[], options: FastPathOptions): Promise<void> {
  const stream = req.stream;
  const controller = new AbortController();
  const responseHeader = new Headers();
  const responseTrailer = new Headers();
  const given = req.headers["grpc-timeout"];
  const timeout = parseTimeout(typeof given === "string" ? given : null, Number.MAX_SAFE_INTEGER);
  // Whole milliseconds, as Connect's context keeps it (a grpc-timeout in µs or ns is fractional).
  const deadline = timeout.timeoutMs === undefined ? undefined : Math.trunc(Date.now() + timeout.timeoutMs);
  const timer =
    timeout.timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded)), timeout.timeoutMs);
  let answered = false;
  // The client reset the stream or went away before the answer: cancel the work.
  const onClose = () => {
    if (!answered) controller.abort(new ConnectError("the client cancelled the call", Code.Canceled));
  };
  stream.once("close", onClose);
  const shutdown = options.shutdownSignal;
  const onShutdown = () => controller.abort(shutdown!.reason);
  if (shutdown?.aborted) onShutdown();
  else shutdown?.addEventListener("abort", onShutdown, { once: true });

  const ctx: HandlerContext = {
    method: target.method,
    service: target.service,
    signal: controller.signal,
    timeoutMs: () => (deadline === undefined ? undefined : deadline - Date.now()),
    requestMethod: "POST",
    requestHeader: new RecordHeaders(req.headers),
    responseHeader,
    responseTrailer,
    protocolName: "grpc",
    values: createContextValues(),
    url: `http://${req.headers[":authority"] ?? "localhost"}${req.url}`,
  };
  try {
    if (timeout.error) throw timeout.error;
    const message = await readUnaryMessage(req, target.method.input, options.readMaxBytes);
    const output = await invoke(target, ctx, message, interceptors);
    answered = true;
    respondOk(res, responseHeader, responseTrailer, toBinary(target.method.output, output));
  } catch (err) {
    answered = true;
    respondError(res, responseHeader, responseTrailer, err);
  } finally {
    clearTimeout(timer);
    stream.off("close", onClose);
    shutdown?.removeEventListener("abort", onShutdown);
  }
}

/** Interceptors around the implementation, as Connect applies them (the first is outermost). */
async function invoke(target: UnaryMethod, ctx: HandlerContext, input: unknown, interceptors: Interceptor[]): Promise<never> {
  const inner = async (req: UnaryRequest): Promise<UnaryResponse> => {
    const merged: HandlerContext = req.header === ctx.requestHeader && req.signal === ctx.signal && req.contextValues === ctx.values ? ctx : { ...ctx, requestHeader: req.header, signal: req.signal, values: req.contextValues };
    const out = await target.impl(req.message, merged);
    const message = isMessage(out, target.method.output) ? out : create(target.method.output, out as never);
    return { stream: false, service: target.service, method: target.method, header: ctx.responseHeader, trailer: ctx.responseTrailer, message } as UnaryResponse;
  };
  let next = inner as (req: UnaryRequest) => Promise<UnaryResponse>;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next as never) as typeof next;
  const request = {
    stream: false,
    service: target.service,
    method: target.method,
    requestMethod: "POST",
    url: ctx.url,
    signal: ctx.signal,
    header: ctx.requestHeader,
    contextValues: ctx.values,
    message: input,
  } as UnaryRequest;
  const res = await next(request);
  copyHeaders(res.header, ctx.responseHeader);
  copyHeaders(res.trailer, ctx.responseTrailer);
  return res.message as never;
}

function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  for (const key of [...to.keys()]) to.delete(key);
  from.forEach((value, key) => to.set(key, value));
}

/** The one request message of a unary call, with Connect's errors for what is not one. */
async function readUnaryMessage(req: Request, schema: DescMessage, readMaxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // The envelope's 5 bytes are not the message's: allowed on top of readMaxBytes.
    if (size > readMaxBytes + 5) throw new ConnectError(`message size is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted);
    chunks.push(chunk);
  }
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  if (body.length === 0) throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
  if (body.length < 5) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  const flags = body[0]!;
  const length = body.readUInt32BE(1);
  if (length > readMaxBytes) throw new ConnectError(`message size ${length} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted);
  if (body.length < 5 + length) throw new ConnectError(`protocol error: promised ${length} bytes, received ${body.length - 5}`, Code.InvalidArgument);
  if (body.length > 5 + length) throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
  if ((flags & 0b01) !== 0) throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
  try {
    return fromBinary(schema, body.subarray(5));
  } catch (err) {
    throw new ConnectError(`parse binary: ${err instanceof Error ? err.message : String(err)}`, Code.Internal);
  }
}

// Through Node's compatibility response (it owns the stream's trailers: it always answers
// 'wantTrailers' itself), as connect-node does.
function respondOk(res: Response, header: Headers, trailer: Headers, bytes: Uint8Array): void {
  if (res.stream.destroyed || res.stream.closed) return;
  const out = Buffer.allocUnsafe(5 + bytes.length);
  out[0] = 0;
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  res.writeHead(200, headerObject(header, { "content-type": contentTypeProto }));
  res.addTrailers(headerObject(trailer, { ...OK_TRAILERS }));
  res.end(out);
}

/** The status (with the handler's trailers and the error's metadata) in the trailers, no message. */
function respondError(res: Response, header: Headers, trailer: Headers, err: unknown): void {
  if (res.stream.destroyed || res.stream.closed || res.headersSent) return;
  // As Connect does: a handler's own non-Connect exception is an internal error, never its text.
  const error = err instanceof ConnectError ? err : new ConnectError("internal error", Code.Internal, undefined, undefined, err);
  const status = new Headers();
  trailer.forEach((v, k) => status.set(k, v));
  setTrailerStatus(status, error);
  res.writeHead(200, headerObject(header, { "content-type": contentTypeProto }));
  res.addTrailers(headerObject(status, {}));
  res.end();
}

function headerObject(h: Headers, base: Record<string, string>): Record<string, string> {
  h.forEach((value, key) => {
    base[key] = value;
  });
  return base;
}

