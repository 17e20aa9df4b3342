// The order and timing of attempts for one request: each target once, then
// (when attempts remain) the targets again after an exponential backoff with
// jitter, or after the upstream's Retry-After when it gave one that is short
// enough to wait for.
import type { ConnectError } from "@connectrpc/connect";
import type { Target } from "./router.js";

export interface RetryPolicy {
  /** Most attempts in all, across targets and rounds. */
  maxAttempts: number;
  /** First backoff before a second round; doubles each round. */
  backoffMs: number;
  backoffMaxMs: number;
  /** A Retry-After longer than this is not waited for. */
  maxRetryAfterMs: number;
  random?: () => number;
}

/** Seconds (or an HTTP date) from retry-after metadata, in ms. */
export function retryAfterMs(err: ConnectError): number | undefined {
  const value = err.metadata.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export interface Attempt {
  target: Target;
  /** Wait this long before the attempt (0 for the first round). */
  delayMs: number;
}

/**
 * Yields attempts; the caller reports each failure through `lastError` before
 * asking for the next. Stops when attempts run out or a Retry-After is too long.
 */
export function* plan(targets: Target[], policy: RetryPolicy, lastError: () => ConnectError | undefined): Generator<Attempt> {
  const random = policy.random ?? Math.random;
  let made = 0;
  for (let round = 0; made < policy.maxAttempts; round++) {
    for (const target of targets) {
      if (made >= policy.maxAttempts) return;
      let delayMs = 0;
      if (round > 0 && target === targets[0]) {
        const backoff = Math.min(policy.backoffMaxMs, policy.backoffMs * 2 ** (round - 1));
        delayMs = backoff / 2 + (random() * backoff) / 2; // "equal jitter"
        const err = lastError();
        const after = err ? retryAfterMs(err) : undefined;
        if (after !== undefined) {
          if (after > policy.maxRetryAfterMs) return;
          delayMs = Math.max(delayMs, after);
        }
      }
      made++;
      yield { target, delayMs };
    }
  }
}

/** Resolves after ms, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
