// Vertex AI errors: Google's error JSON from the platform (auth, quota,
// unknown model) for every publisher; a Claude model's own failures on
// rawPredict keep Anthropic's error JSON. Both are read here.
import type { ConnectError } from "@connectrpc/connect";
import { anthropicHttpError } from "../anthropic/errors.js";
import { geminiHttpError } from "../gemini/errors.js";

/** The mapper for Claude on Vertex: Google's body when it is one, Anthropic's otherwise. */
export function vertexAnthropicError(provider: string, status: number, body: string, retryAfter?: string): ConnectError {
  return isGoogleError(body) ? geminiHttpError(provider, status, body, retryAfter) : anthropicHttpError(provider, status, body, retryAfter);
}

function isGoogleError(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: { status?: unknown; code?: unknown } } | { error?: unknown }[];
    const e = (Array.isArray(parsed) ? parsed[0] : parsed)?.error as { status?: unknown; code?: unknown } | undefined;
    return typeof e?.status === "string" || typeof e?.code === "number";
  } catch {
    return false;
  }
}
