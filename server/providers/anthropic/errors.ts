// Anthropic error bodies ({"type":"error","error":{"type","message"},"request_id"})
// to ConnectError, for HTTP errors and for `error` events inside a stream.
import { ConnectError } from "@connectrpc/connect";
import { codeForStatus, upstreamStatusError } from "../http-errors.js";
import type { ErrorBody } from "./wire.js";

/**
 * The HTTP status Anthropic documents for each error type. A stream that
 * already answered 200 reports its failure as an `error` event carrying only
 * the type, so the type is mapped through the status it stands for.
 */
const STATUS_OF_TYPE = new Map<string, number>([
  ["invalid_request_error", 400],
  ["authentication_error", 401],
  ["billing_error", 402],
  ["permission_error", 403],
  ["not_found_error", 404],
  ["request_too_large", 413],
  ["rate_limit_error", 429],
  ["api_error", 500],
  ["timeout_error", 504],
  ["overloaded_error", 529],
]);

function parse(body: string): ErrorBody["error"] & { requestId?: string } {
  try {
    const parsed = JSON.parse(body) as ErrorBody;
    if (parsed && typeof parsed.error === "object" && parsed.error) return { ...parsed.error, requestId: parsed.request_id };
  } catch {
    // Not JSON (a proxy's HTML page, say): the raw text is described instead.
  }
  return {};
}

/** One line: the message, then the error type and request id (what Anthropic support asks for). */
export function describeError(body: string): string {
  const e = parse(body);
  if (!e.message) return body.trim().slice(0, 300) || "(empty body)";
  const extra = [e.type && `type=${e.type}`, e.requestId && `request_id=${e.requestId}`].filter(Boolean).join(", ");
  return extra ? `${e.message} (${extra})` : e.message;
}

/** HTTP errors: the status decides the code (529 overloaded → Unavailable); Retry-After is kept. */
export function anthropicHttpError(provider: string, status: number, body: string, retryAfter?: string): ConnectError {
  return upstreamStatusError(provider, status, describeError(body), retryAfter);
}

/** An `error` event after the stream started (e.g. overloaded_error → Unavailable). */
export function streamError(provider: string, error: ErrorBody["error"] | undefined): ConnectError {
  const type = error?.type ?? "api_error";
  const code = codeForStatus(STATUS_OF_TYPE.get(type) ?? 500);
  return new ConnectError(`provider "${provider}" failed mid-stream: ${error?.message ?? "unknown error"} (type=${type})`, code);
}
