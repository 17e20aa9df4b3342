// Errors in Anthropic's shape: the one place this edge maps gRPC codes and
// edge HTTP errors to a status and {"type":"error","error":{"type","message"}}.
// Statuses follow the shared table (http-io.ts) except Unavailable, which is
// Anthropic's 529 overloaded_error.
import { Code, ConnectError } from "@connectrpc/connect";
import type { HttpResponse } from "../handler.js";
import { HttpError, httpStatusOf, retryAfterOf, writeJson } from "../http-io.js";
import type { ErrorBody, ErrorType } from "./wire.js";

const OVERLOADED = 529;

/** Anthropic's error type for an HTTP status. */
export function errorTypeOf(status: number): ErrorType {
  switch (status) {
    case 400:
    case 405:
    case 409:
    case 415:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case OVERLOADED:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

export function statusOf(code: Code): number {
  return code === Code.Unavailable ? OVERLOADED : httpStatusOf(code);
}

export function errorBody(type: ErrorType, message: string): ErrorBody {
  return { type: "error", error: { type, message } };
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** Status, headers and JSON body for anything thrown while serving a request. */
export function renderError(err: unknown): RenderedError {
  if (err instanceof HttpError) {
    return { status: err.status, headers: err.options.headers ?? {}, body: errorBody(errorTypeOf(err.status), err.message) };
  }
  const ce = ConnectError.from(err);
  const status = statusOf(ce.code);
  const headers: Record<string, string> = {};
  // Unavailable is transient by nature: without a hint, "try again in a second" (as Anthropic's 529).
  const after = ce.code === Code.ResourceExhausted ? retryAfterOf(ce) : ce.code === Code.Unavailable ? (retryAfterOf(ce) ?? "1") : undefined;
  if (after !== undefined) headers["retry-after"] = after;
  return { status, headers, body: errorBody(errorTypeOf(status), ce.rawMessage) };
}

/** Answers with the error, unless the response already started or the client is gone. */
export function writeError(res: HttpResponse, err: unknown, headers: Record<string, string>): void {
  const e = renderError(err);
  writeJson(res, e.status, e.body, { ...headers, ...e.headers });
}
