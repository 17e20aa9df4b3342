// The response cache's second tier, shared by every replica (Redis, see
// server/store/redis/cache-tier.ts). The cache core sees only this interface:
// bytes in, bytes out, so it knows nothing of Redis, and the memory-only cache
// simply has no tier.
//
// Fail-open contract: a shared tier never throws and never holds a request
// long. A lookup that errors or times out resolves to a miss; a store that
// fails is dropped. Both are counted in `errors` (the cache is an
// optimisation; budgets, not the cache, are where a store outage must stop
// requests).

/** Unary answers and recorded streams live under separate keys. */
export type SharedKind = "u" | "s";

export interface SharedValue {
  /** What store() was given (server/core/cache/codec.ts). */
  bytes: Uint8Array;
  /** Lifetime left in ms (> 0), so a copy kept locally expires with the shared one. */
  ttlMs: number;
}

export interface SharedTierStats {
  hits: number;
  misses: number;
  /** Lookups and stores that failed or timed out (each one served or dropped as a miss). */
  errors: number;
  stores: number;
}

export interface SharedTier {
  /** Resolves undefined on a miss, an error or a timeout; never rejects. */
  lookup(kind: SharedKind, key: string): Promise<SharedValue | undefined>;
  /** Fire and forget: the shared copy expires after ttlMs. Never throws. */
  store(kind: SharedKind, key: string, bytes: Uint8Array, ttlMs: number): void;
  stats(): SharedTierStats;
}
