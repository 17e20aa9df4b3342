// Anthropic-shaped HTTP helpers for the fake: error bodies, request ids, SSE
// framing. Generic helpers (JSON, sleep, ids) come from the OpenAI fake.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomId, sendJson } from "../openai/http.js";

export { headerInt, randomId, readBytes, sendJson, sleep, untilAborted } from "../openai/http.js";

/** Anthropic's documented error types (the HTTP status each one comes with is in scripts.ts / errorStatus). */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export interface AnthropicError {
  type: ErrorType;
  message: string;
}

export function apiError(message: string, type: ErrorType = "invalid_request_error"): AnthropicError {
  return { type, message };
}

/** Every response carries a request id, in the header and, for errors, in the body. */
export function newRequestId(): string {
  return randomId("req_011", 21);
}

export function sendError(res: ServerResponse, status: number, error: AnthropicError, headers: Record<string, string> = {}): void {
  const requestId = String(res.getHeader("request-id") ?? newRequestId());
  sendJson(res, status, { type: "error", error, request_id: requestId }, headers);
}

export function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

/** Per-request state shared between the router and the handlers. */
export interface Conn {
  req: IncomingMessage;
  res: ServerResponse;
  /** Aborted when the response closes (finished or client disconnected). */
  signal: AbortSignal;
  /** SSE events written so far. */
  chunks: number;
}

/** One SSE event with Anthropic's `event:` name (always equal to the data's `type`). */
export function writeEvent(conn: Conn, data: { type: string } & Record<string, unknown>): void {
  conn.res.write(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`);
  conn.chunks++;
}
