/**
 * Rate windows: requests and tokens per subject over a sliding 60 s window.
 * One interface, two stores: memory.ts (one process) and redis.ts (every
 * replica sharing one Redis, each check-and-update one Lua script).
 *
 * Semantics both implement exactly:
 * - requests: a log of admission times; one admitted at t counts while
 *   now < t + 60 s. With rpm N at most N are admitted in any 60 s window.
 * - tokens: known only after a call, so they are added when it finishes
 *   (addTokens) into per-second buckets; admission checks the tokens already
 *   in the window (refused once they reach tpm). A bucket for second s counts
 *   while now < (s + 1) s + 60 s (rounded up, never early).
 * - retryAfterMs: until enough of the oldest counted items leave the window
 *   for the request to be admitted.
 */

export const WINDOW_MS = 60_000;

export interface RateLimits {
  /** Requests per minute. */
  rpm?: number | undefined;
  /** Tokens (input + output) per minute. */
  tpm?: number | undefined;
}

export type Verdict = { admitted: true } | { admitted: false; limit: "rpm" | "tpm"; retryAfterMs: number };

export interface RateWindows {
  /** Counts one request against `key` if both its rpm and tpm allow it; else says which did not and for how long. */
  take(key: string, limits: RateLimits, now: number): Promise<Verdict>;
  /** Adds a finished call's tokens to `key`'s window. */
  addTokens(key: string, tokens: number, now: number): Promise<void>;
  close(): Promise<void>;
}

/** Whole seconds to wait, at least 1 (what Retry-After carries). */
export function retrySeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The second a token bucket stands for. */
export function bucketOf(now: number): number {
  return Math.floor(now / 1000);
}

/** When bucket `second` leaves the window. */
export function bucketLeavesAt(second: number): number {
  return (second + 1) * 1000 + WINDOW_MS;
}
