// HTTP helpers of the fake Ollama: Ollama's error body ({"error":"..."}),
// its NDJSON stream head, and per-request state.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../openai/http.js";

export { headerInt, readBytes, sendJson, sleep, untilAborted } from "../openai/http.js";

/** Per-request state shared between the router and the handlers. */
export interface Conn {
  req: IncomingMessage;
  res: ServerResponse;
  /** Aborted when the response closes (finished or client disconnected). */
  signal: AbortSignal;
  /** NDJSON lines written so far. */
  chunks: number;
  /** Set when the fake itself drops the connection (fake-reset): not a client close. */
  selfClosed: boolean;
}

/** Ollama answers every API error as {"error": "<message>"}. */
export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: message }, headers);
}

/** Plain-text answers (Ollama's router: "404 page not found", "Ollama is running"). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Starts a streamed answer: one JSON object per line. */
export function startNdjson(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/x-ndjson", "transfer-encoding": "chunked" });
}

export function writeLine(conn: Conn, value: unknown): void {
  conn.res.write(JSON.stringify(value) + "\n");
  conn.chunks++;
}

/** Ollama's timestamps: RFC 3339 with nanoseconds. */
export function createdAt(): string {
  return new Date().toISOString().replace("Z", "000000Z");
}
