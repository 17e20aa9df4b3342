import { describe, expect, it } from "vitest";

import { isCacheable, planCache, ttlMs, type CachePolicyOptions } from "../../server/core/cache/policy.js";
import { request } from "./helpers.js";

const opts: CachePolicyOptions = { mode: "deterministic", defaultTtlSeconds: 300, maxTtlSeconds: 3600 };

describe("cache policy", () => {
  it("deterministic mode caches temperature 0 or a seed only", () => {
    expect(isCacheable(request({ sampling: { temperature: 0 } }), "deterministic")).toBe(true);
    expect(isCacheable(request({ sampling: { temperature: 0.7, seed: 1n } }), "deterministic")).toBe(true);
    expect(isCacheable(request({ sampling: { temperature: 0.7 } }), "deterministic")).toBe(false);
    expect(isCacheable(request({ sampling: {} }), "deterministic")).toBe(false);
    expect(isCacheable(request({ sampling: undefined }), "deterministic")).toBe(false);
  });

  it("all and off modes", () => {
    expect(isCacheable(request({ sampling: { temperature: 1 } }), "all")).toBe(true);
    expect(isCacheable(request({ sampling: { temperature: 0 } }), "off")).toBe(false);
    expect(planCache(request(), { ...opts, mode: "off" })).toBeUndefined();
  });

  it("plans lookup, store and ttl from CacheControl", () => {
    expect(planCache(request(), opts)).toMatchObject({ lookup: true, store: true, ttlMs: 300_000 });
    expect(planCache(request({ cache: { noCache: true } }), opts)).toMatchObject({ lookup: false, store: true });
    expect(planCache(request({ cache: { noStore: true } }), opts)).toMatchObject({ lookup: true, store: false });
    expect(planCache(request({ cache: { noCache: true, noStore: true } }), opts)).toBeUndefined();
    expect(planCache(request({ sampling: { temperature: 0.9 } }), opts)).toBeUndefined();
  });

  it("ttl_seconds overrides the default, capped by the max", () => {
    expect(ttlMs(request({ cache: { ttlSeconds: 10 } }), opts)).toBe(10_000);
    expect(ttlMs(request({ cache: { ttlSeconds: 999_999 } }), opts)).toBe(3_600_000);
    expect(ttlMs(request({ cache: { ttlSeconds: 0 } }), opts)).toBe(300_000);
  });
});
