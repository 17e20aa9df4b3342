// Small HTTP helpers shared by the REST edges (OpenAI, Anthropic, Responses): read a
// capped body, write JSON/text, write SSE with backpressure, turn a client
// disconnect or the server's timeout into the call's AbortSignal. Edge-neutral:
// errors are ConnectErrors, mapped to a status by http-status.ts and rendered
// by each edge in its own JSON shape.
import { Code, ConnectError } from "@connectrpc/connect";
import { beginCall, type StartedCall } from "../core/call-builder.js";
import type { CallContext } from "../providers/provider.js";
import type { HttpRequest, HttpResponse } from "./handler.js";
import { tooLarge } from "./edge-errors.js";

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

/**
 * The whole body, at most maxBytes. A declared or actual size over the cap is
 * a 413 error (tooLarge) at once (the rest is discarded); a client that goes away
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
