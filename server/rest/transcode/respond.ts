// Writing answers: one JSON document, or newline-delimited JSON for server
// streams (as grpc-gateway: {"result": msg} per line, flushed per message, with
// {"error": status} as the last line on failure). A stream that fails before its
// first message answers with the error's HTTP status and one error line.
import type { JsonValue } from "@bufbuild/protobuf";
import type { HttpResponse } from "../handler.js";
import type { HttpError } from "./status.js";

export const JSON_TYPE = "application/json";
export const NDJSON_TYPE = "application/x-ndjson";

/** What both HTTP/1.1 and HTTP/2 compat responses offer (connect-node passes either). */
interface Sink {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(chunk?: string): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
  readonly headersSent: boolean;
  readonly destroyed: boolean;
}

const sink = (res: HttpResponse) => res as unknown as Sink;

export function writeJson(res: HttpResponse, status: number, headers: Record<string, string>, body: JsonValue): void {
  const out = sink(res);
  if (out.headersSent || out.destroyed) return;
  const text = JSON.stringify(body);
  out.writeHead(status, { ...headers, "content-type": JSON_TYPE, "content-length": String(Buffer.byteLength(text)) });
  out.end(text);
}

export function writeHttpError(res: HttpResponse, e: HttpError, extraHeaders: Record<string, string> = {}): void {
  writeJson(res, e.status, { ...extraHeaders, ...e.headers }, e.body);
}

export interface StreamOutput {
  /** The JSON of one message (already narrowed to response_body, if any). */
  line(message: unknown): JsonValue;
  error(reason: unknown): HttpError;
  /** Response headers, read once the first message (or error) has arrived. */
  headers(): Record<string, string>;
  /** True once the client has gone away. */
  closed(): boolean;
}

export async function writeStream(res: HttpResponse, messages: AsyncIterable<unknown>, out: StreamOutput): Promise<void> {
  const sinkRes = sink(res);
  const it = messages[Symbol.asyncIterator]();
  let next: IteratorResult<unknown>;
  try {
    next = await it.next();
  } catch (reason) {
    if (out.closed()) return;
    const e = out.error(reason);
    sinkRes.writeHead(e.status, { ...out.headers(), ...e.headers, "content-type": NDJSON_TYPE });
    sinkRes.end(`${JSON.stringify({ error: e.body })}\n`);
    return;
  }
  sinkRes.writeHead(200, { ...out.headers(), "content-type": NDJSON_TYPE, "cache-control": "no-cache" });
  try {
    for (; !next.done; next = await it.next()) {
      if (out.closed()) break;
      if (!sinkRes.write(`${JSON.stringify({ result: out.line(next.value) })}\n`)) await drained(sinkRes);
    }
  } catch (reason) {
    if (!out.closed()) sinkRes.write(`${JSON.stringify({ error: out.error(reason).body })}\n`);
  }
  if (out.closed()) {
    await it.return?.().catch(() => undefined); // the aborted call ends on its own; nothing to answer
    return;
  }
  sinkRes.end();
}

/** Resolves on "drain" (room again) or "close" (client gone): backpressure from the socket. */
function drained(out: Sink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.once("drain", done);
    out.once("close", done);
  });
}
