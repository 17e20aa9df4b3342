// The Anthropic edge's one error renderer (pure): any error as Anthropic's
// {"type":"error","error":{"type","message"}} with the status from the one table
// (rest/http-status.ts, "anthropic" dialect: Unavailable is 529 overloaded_error).
import { ConnectError } from "@connectrpc/connect";
import type { HttpResponse } from "../handler.js";
import { writeJson } from "../http-io.js";
import { errorHeaders, httpStatusOf } from "../http-status.js";
import type { ErrorBody, ErrorType } from "../../providers/anthropic/wire.js";

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
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
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
  const ce = ConnectError.from(err);
  const status = httpStatusOf(ce, "anthropic");
  return { status, headers: errorHeaders(ce, status), body: errorBody(errorTypeOf(status), ce.rawMessage) };
}

/** Answers with the error, unless the response already started or the client is gone. */
export function writeError(res: HttpResponse, err: unknown, headers: Record<string, string>): void {
  const e = renderError(err);
  writeJson(res, e.status, e.body, { ...headers, ...e.headers });
}
