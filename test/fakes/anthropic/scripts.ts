// Scripted behaviour selected by the request's model name (any other model
// answers normally). Error texts follow Anthropic's documented error types.
import { apiError, type AnthropicError } from "./http.js";

export type Script =
  | { kind: "normal" }
  | { kind: "error"; status: number; error: AnthropicError; headers?: Record<string, string> }
  | { kind: "slow-first-byte" }
  | { kind: "stall-stream" }
  | { kind: "long-stream" }
  /** An `error` event (overloaded_error) after two deltas; non-streaming: HTTP 529. */
  | { kind: "stream-error" }
  /** The socket is destroyed after two deltas; non-streaming: before any answer. */
  | { kind: "reset" }
  /** A data line that is not JSON; non-streaming: a 200 body that is not JSON. */
  | { kind: "malformed" };

export const INVALID_API_KEY = apiError("invalid x-api-key", "authentication_error");
export const OVERLOADED = apiError("Overloaded", "overloaded_error");

export function scriptFor(model: string): Script {
  switch (model) {
    case "fake-400":
      return { kind: "error", status: 400, error: apiError("messages: scripted failure (fake-400)") };
    case "fake-401":
      return { kind: "error", status: 401, error: INVALID_API_KEY };
    case "fake-403":
      return { kind: "error", status: 403, error: apiError("Your API key does not have permission to use the specified resource.", "permission_error") };
    case "fake-404":
      return { kind: "error", status: 404, error: apiError(`model: ${model}`, "not_found_error") };
    case "fake-413":
      return { kind: "error", status: 413, error: apiError("Request exceeds the maximum allowed number of bytes.", "request_too_large") };
    case "fake-429":
      return {
        kind: "error",
        status: 429,
        error: apiError("This request would exceed the rate limit for your organization of 50 requests per minute.", "rate_limit_error"),
        headers: {
          "retry-after": "7",
          "anthropic-ratelimit-requests-limit": "50",
          "anthropic-ratelimit-requests-remaining": "0",
          "anthropic-ratelimit-requests-reset": new Date(Date.now() + 7_000).toISOString(),
        },
      };
    case "fake-500":
      return { kind: "error", status: 500, error: apiError("Internal server error", "api_error") };
    case "fake-529":
      return { kind: "error", status: 529, error: OVERLOADED };
    case "fake-slow-first-byte":
      return { kind: "slow-first-byte" };
    case "fake-stall-stream":
      return { kind: "stall-stream" };
    case "fake-long-stream":
      return { kind: "long-stream" };
    case "fake-stream-error":
      return { kind: "stream-error" };
    case "fake-reset":
      return { kind: "reset" };
    case "fake-malformed":
      return { kind: "malformed" };
    default:
      return { kind: "normal" };
  }
}

/** Models listed by GET /v1/models, newest first as Anthropic lists them. Scripted names work without being listed. */
export const MODELS = [
  ["claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"],
  ["claude-opus-4-20250514", "Claude Opus 4", "2025-05-22T00:00:00Z"],
  ["claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"],
  ["claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24T00:00:00Z"],
  ["claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"],
  ["fake-model", "Fake Model", "2024-01-01T00:00:00Z"],
].map(([id, display_name, created_at]) => ({ type: "model" as const, id: id!, display_name: display_name!, created_at: created_at! }));
