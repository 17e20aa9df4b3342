// When a request may be answered from, and stored into, the response cache.
//
// Modes:
//   "deterministic" (default)  only requests whose answer should repeat:
//                              temperature 0, or a seed set. Caching a
//                              temperature-0.8 request would freeze one sample
//                              and hand it to everyone asking for variety.
//   "all"                      every request (for tests, replays, demos).
//   "off"                      never.
// Per request, CacheControl narrows this (it can never make a request cacheable
// that the mode excludes): no_cache skips the lookup and in-flight sharing
// (the caller wants a fresh answer), no_store skips storing the answer,
// ttl_seconds replaces the default lifetime, capped at maxTtlSeconds.
import type { ChatRequest } from "../../providers/provider.js";
import { cacheKey, type KeyContext } from "./key.js";

export type CacheMode = "deterministic" | "all" | "off";

export interface CachePolicyOptions {
  mode: CacheMode;
  /** Lifetime when the request gives none. */
  defaultTtlSeconds: number;
  /** Upper bound on a requested ttl_seconds. */
  maxTtlSeconds: number;
}

export const DEFAULT_CACHE_POLICY: CachePolicyOptions = { mode: "deterministic", defaultTtlSeconds: 300, maxTtlSeconds: 86_400 };

/** What the cache may do for one request. */
export interface CachePlan {
  key: string;
  /** The partition and reached models in the key (the semantic cache buckets by them too). */
  context?: KeyContext;
  /** Answer from the cache or from an identical request in flight. */
  lookup: boolean;
  /** Store the answer when it completes. */
  store: boolean;
  ttlMs: number;
}

type PolicyRequest = Pick<ChatRequest, "sampling" | "cache">;

/** Whether the configured mode lets this request use the cache at all. */
export function isCacheable(req: PolicyRequest, mode: CacheMode): boolean {
  if (mode === "off") return false;
  if (mode === "all") return true;
  const s = req.sampling;
  return s !== undefined && (s.temperature === 0 || s.seed !== undefined);
}

/** Lifetime in ms: the request's ttl_seconds (capped) or the default. */
export function ttlMs(req: PolicyRequest, opts: CachePolicyOptions): number {
  const asked = req.cache?.ttlSeconds ?? 0;
  const seconds = asked > 0 ? Math.min(asked, opts.maxTtlSeconds) : opts.defaultTtlSeconds;
  return seconds * 1000;
}

/**
 * The plan for a request, or undefined when the cache is not involved at all
 * (mode excludes it, or both no_cache and no_store are set). The key is only
 * computed when needed.
 */
export function planCache(req: ChatRequest, opts: CachePolicyOptions, context?: KeyContext): CachePlan | undefined {
  if (!isCacheable(req, opts.mode)) return undefined;
  const lookup = !req.cache?.noCache;
  const store = !req.cache?.noStore;
  if (!lookup && !store) return undefined;
  const plan: CachePlan = { key: cacheKey(req, context), lookup, store, ttlMs: ttlMs(req, opts) };
  if (context) plan.context = context;
  return plan;
}
