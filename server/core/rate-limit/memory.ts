/**
 * Rate windows in this process's memory (store kinds memory and sqlite: one
 * replica). Same semantics as the Redis windows (see window.ts); an entry per
 * configured subject, each bounded: at most rpm request times, 61 buckets.
 */
import { bucketLeavesAt, bucketOf, WINDOW_MS, type RateLimits, type RateWindows, type Verdict } from "./window.js";

interface Entry {
  /** Admission times, oldest first. */
  requests: number[];
  /** Second → tokens. */
  tokens: Map<number, number>;
}

export class MemoryRateWindows implements RateWindows {
  private readonly entries = new Map<string, Entry>();

  async take(key: string, limits: RateLimits, now: number): Promise<Verdict> {
    return this.takeNow(key, limits, now);
  }

  async addTokens(key: string, tokens: number, now: number): Promise<void> {
    if (tokens <= 0) return;
    const e = this.entry(key);
    const s = bucketOf(now);
    e.tokens.set(s, (e.tokens.get(s) ?? 0) + tokens);
  }

  async close(): Promise<void> {}

  /** take, synchronously (the memory store needs no I/O). */
  takeNow(key: string, limits: RateLimits, now: number): Verdict {
    const e = this.entry(key);
    while (e.requests.length > 0 && e.requests[0]! <= now - WINDOW_MS) e.requests.shift();
    if (limits.rpm !== undefined && e.requests.length >= limits.rpm) {
      // The request that must leave for one more to fit (more than one if rpm was lowered).
      const blocker = e.requests[e.requests.length - limits.rpm]!;
      return { admitted: false, limit: "rpm", retryAfterMs: blocker + WINDOW_MS - now };
    }
    if (limits.tpm !== undefined) {
      const wait = tokenWait(e.tokens, limits.tpm, now);
      if (wait !== undefined) return { admitted: false, limit: "tpm", retryAfterMs: wait };
    }
    if (limits.rpm !== undefined) e.requests.push(now);
    return { admitted: true };
  }

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = { requests: [], tokens: new Map() };
      this.entries.set(key, e);
    }
    return e;
  }
}

/** Drops buckets that left the window; undefined when the rest is under tpm, else ms until it is. */
function tokenWait(buckets: Map<number, number>, tpm: number, now: number): number | undefined {
  let sum = 0;
  for (const [s, n] of buckets) {
    if (bucketLeavesAt(s) <= now) buckets.delete(s);
    else sum += n;
  }
  if (sum < tpm) return undefined;
  for (const s of [...buckets.keys()].sort((a, b) => a - b)) {
    sum -= buckets.get(s)!;
    if (sum < tpm) return bucketLeavesAt(s) - now;
  }
  return undefined; // not reached: the sum falls to 0 < tpm
}
