// Ollama error bodies ({"error":"message"}) to ConnectError.
import type { ConnectError } from "@connectrpc/connect";
import { upstreamStatusError } from "../http-errors.js";
import type { ErrorBody } from "./wire.js";

/** The message out of an Ollama error body, or the raw text (with a hint for a wrong base URL). */
export function describeError(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as ErrorBody;
    if (typeof parsed.error === "string" && parsed.error) return parsed.error;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const text = body.trim().slice(0, 300) || "(empty body)";
  // Ollama's router answers unknown paths with a plain "404 page not found".
  if (status === 404 && !text.startsWith("{")) return `${text} (is base_url the server root, e.g. "http://127.0.0.1:11434", without /v1?)`;
  return text;
}

export function ollamaHttpError(provider: string, status: number, body: string, retryAfter?: string): ConnectError {
  return upstreamStatusError(provider, status, describeError(status, body), retryAfter);
}
