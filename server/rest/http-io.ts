// Small HTTP helpers shared by the REST edges (OpenAI, Anthropic): read a
// capped body, write JSON/text, write SSE with backpressure, turn a client
// disconnect or the server's timeout into an AbortSignal, map gRPC codes to
// HTTP statuses. Edge-neutral: each edge renders errors in its own JSON shape.
import { Code, ConnectError } from "@connectrpc/connect";
import { beginCall, type StartedCall } from "../core/call-builder.js";
import type { CallContext } from "../providers/provider.js";
import type { HttpRequest, HttpResponse } from "./handler.js";
import { MAX_JSON_DEPTH, tooDeep } from "./json-depth.js";

/** An HTTP-level failure found at the edge (413, 415, 405, 400 ...), before any core call. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: { param?: string; code?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

/** How long an oversized upload may keep sending after its 413 before the connection is cut. */
const DISCARD_LINGER_MS = 2_000;

/** Lets the rest of a rejected body drain (discarded, never buffered) so the client can read its answer, then cuts it. */
export function discardBody(req: HttpRequest): void {
  req.removeAllListeners("data");
  req.resume();
  if (req.readableEnded) return;
  const timer = setTimeout(() => req.destroy(), DISCARD_LINGER_MS);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
}

const tooLarge = (maxBytes: number) =>
  new HttpError(413, `request body is larger than the ${maxBytes} bytes allowed (server.max_body_bytes)`, { code: "request_too_large" });

/**
 * The whole body, at most maxBytes. A declared or actual size over the cap is
 * HttpError 413 at once (the rest is discarded); a client that goes away
 * mid-upload is ConnectError Canceled.
 */
export function readBody(req: HttpRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardBody(req);
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        discardBody(req);
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onGone = () => {
      cleanup();
      reject(new ConnectError("the client went away while sending the request body", Code.Canceled));
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onGone);
    req.once("close", onGone);
  });
}

/** The header's media type, lower case, without parameters ("" when unset). */
export function mediaType(req: HttpRequest): string {
  return String(req.headers["content-type"] ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

/** The body parsed as JSON: HttpError 415 (not JSON), 413 (too large) or 400 (empty, unparseable or nested too deeply). */
export async function readJson(req: HttpRequest, maxBytes: number): Promise<unknown> {
  const type = mediaType(req);
  if (type !== "application/json" && !type.endsWith("+json")) {
    discardBody(req);
    throw new HttpError(415, `content-type ${type ? JSON.stringify(type) : "(unset)"} is not supported; send application/json`);
  }
  const text = (await readBody(req, maxBytes)).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "request body is empty; send a JSON object");
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (tooDeep(body)) throw new HttpError(400, `request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  return body;
}

export function writeText(res: HttpResponse, status: number, text: string, contentType: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, { ...headers, "content-type": contentType, "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Resolves on "drain" (room again) or "close" (client gone): backpressure from the socket. */
export function drained(res: HttpResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

export function writeJson(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  writeText(res, status, JSON.stringify(body), "application/json", headers);
}

/** Server-sent events: headers flushed at once, each write waits while the client's buffer is full. */
export class SseWriter {
  constructor(private readonly res: HttpResponse) {}

  get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  open(headers: Record<string, string> = {}): void {
    this.res.writeHead(200, { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
    // Send the headers now, before the first event (both Node response types have it; connect's union type hides it).
    (this.res as { flushHeaders?: () => void }).flushHeaders?.();
  }

  /** Writes one event (`data` is sent as is: JSON text or a sentinel such as [DONE]); false once the client is gone. */
  async send(data: string, event?: string): Promise<boolean> {
    if (this.closed) return false;
    const frame = event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
    if (!this.res.write(frame)) await drained(this.res);
    return !this.closed;
  }

  end(): void {
    if (!this.closed) this.res.end();
  }
}

/**
 * One signal for the request: aborts with Canceled when the client goes away
 * before the response ended, or DeadlineExceeded after timeoutMs. Call done()
 * when the response is written.
 */
/**
 * The core's CallContext for one REST request (core/call-builder.ts): aborted when the client
 * disconnects before the answer is written, or at hoosh's request timeout.
 */
export function beginRestCall(req: HttpRequest, res: HttpResponse, timeoutMs: number, key?: CallContext["key"], newRequestId?: () => string): StartedCall {
  const started = beginCall({ header: (name) => headerOf(req, name), timeoutMs, key, newRequestId });
  res.once("close", () => {
    started.end();
    if (!res.writableFinished) started.cancel(new ConnectError("the client disconnected", Code.Canceled));
  });
  return started;
}

/** One request header (the first, when repeated). */
export function headerOf(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** gRPC code to HTTP status (the grpc-gateway table). */
const STATUS: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

export function httpStatusOf(code: Code): number {
  return STATUS[code] ?? 500;
}

/**
 * A Retry-After value from the error's retry-after metadata (seconds or an HTTP date), or
 * undefined: only an error that knows when waiting helps carries one (an exhausted pool without a
 * period never refills, so it has none, and clients must not be told to retry it).
 */
export function retryAfterOf(err: ConnectError): string | undefined {
  const value = err.metadata.get("retry-after")?.trim() ?? "";
  const seconds = Number(value);
  if (value !== "" && Number.isFinite(seconds) && seconds >= 0) return String(Math.ceil(seconds));
  return value !== "" && !Number.isNaN(Date.parse(value)) ? value : undefined;
}
