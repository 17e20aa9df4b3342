// OpenAI-format error bodies ({"error":{"message","type","param","code"}}) to ConnectError.
import type { ConnectError } from "@connectrpc/connect";
import { upstreamStatusError } from "../http-errors.js";
import type { ErrorBody, Loose } from "./wire.js";

/** Reads the most useful one-line description out of an OpenAI-style error body. */
export function describeError(body: string): string {
  try {
    const parsed = JSON.parse(body) as Loose<ErrorBody>;
    const e = parsed.error;
    if (e?.message) {
      const extra = [e.code && `code=${e.code}`, e.param && `param=${e.param}`].filter(Boolean).join(", ");
      return extra ? `${e.message} (${extra})` : e.message;
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.trim().slice(0, 300) || "(empty body)";
}

export function openaiHttpError(provider: string, status: number, body: string, retryAfter?: string): ConnectError {
  return upstreamStatusError(provider, status, describeError(body), retryAfter);
}
