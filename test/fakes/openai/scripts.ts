// Scripted behaviour selected by the request's model name.
import { apiError, type OpenAIError } from "./http.js";

export type Script =
  | { kind: "normal" }
  | { kind: "error"; status: number; error: OpenAIError; headers?: Record<string, string> }
  | { kind: "slow-first-byte" }
  | { kind: "stall-stream" }
  | { kind: "stream-error" }
  | { kind: "long-stream" };

function modelNotFound(model: string): Script {
  const message = `The model \`${model}\` does not exist or you do not have access to it.`;
  return { kind: "error", status: 404, error: apiError(message, "invalid_request_error", null, "model_not_found") };
}

export const INVALID_API_KEY = apiError(
  "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
  "invalid_request_error",
  null,
  "invalid_api_key",
);

export const STREAM_ERROR = apiError(
  "The server had an error while processing your request. Sorry about that!",
  "server_error",
);

export function scriptFor(model: string): Script {
  switch (model) {
    case "fake-400":
      return {
        kind: "error",
        status: 400,
        error: apiError("Invalid 'messages': scripted failure (fake-400).", "invalid_request_error", "messages"),
      };
    case "fake-401":
      return { kind: "error", status: 401, error: INVALID_API_KEY };
    case "fake-403":
      return {
        kind: "error",
        status: 403,
        error: apiError(
          "Country, region, or territory not supported",
          "request_forbidden",
          null,
          "unsupported_country_region_territory",
        ),
      };
    case "fake-404":
    case "fake-missing":
      return modelNotFound(model);
    case "fake-429":
      return {
        kind: "error",
        status: 429,
        error: apiError(
          `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 7s.`,
          "requests",
          null,
          "rate_limit_exceeded",
        ),
        headers: {
          "retry-after": "7",
          "x-ratelimit-limit-requests": "3",
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": "7s",
        },
      };
    case "fake-500":
      return {
        kind: "error",
        status: 500,
        error: apiError("The server had an error while processing your request. Sorry about that!", "server_error"),
      };
    case "fake-503":
      return {
        kind: "error",
        status: 503,
        error: apiError("The engine is currently overloaded, please try again later.", "server_error"),
      };
    case "fake-slow-first-byte":
      return { kind: "slow-first-byte" };
    case "fake-stall-stream":
      return { kind: "stall-stream" };
    case "fake-stream-error":
      return { kind: "stream-error" };
    case "fake-long-stream":
      return { kind: "long-stream" };
    default:
      return { kind: "normal" };
  }
}

/** Models listed by GET /v1/models. Scripted names work without being listed. */
export const MODELS = [
  { id: "gpt-4o-mini", owned_by: "system" },
  { id: "gpt-4o", owned_by: "system" },
  { id: "fake-model", owned_by: "hoosh-fake" },
  { id: "text-embedding-3-small", owned_by: "system" },
].map((m) => ({ id: m.id, object: "model" as const, created: 1_700_000_000, owned_by: m.owned_by }));
