// [cache] scope: who shares cached answers (cache/scope.ts), as the partition in the cache key
// (exact: ResponseCache.plan; semantic: the question's bucket).
import { describe, expect, it } from "vitest";
import { ResponseCache, DEFAULT_RESPONSE_CACHE } from "../../server/core/cache/response-cache.js";
import { cachePartition, type CacheScope } from "../../server/core/cache/scope.js";
import { semanticQuestion } from "../../server/core/cache/semantic.js";
import { request } from "./helpers.js";

const teamA1 = { id: "a1", defaultPool: "team-a" };
const teamA2 = { id: "a2", defaultPool: "team-a" };
const teamB = { id: "b1", defaultPool: "team-b" };
const loner = { id: "solo" };
const teamed = { id: "t1", team: "ml", defaultPool: "team-a" };

describe("cachePartition", () => {
  it("global: one partition; team: the team, else the default pool, else the key; key: the key", () => {
    expect(cachePartition("global", teamA1)).toBe("");
    expect(cachePartition("team", teamed)).toBe("team:ml");
    expect(cachePartition("team", teamA1)).toBe("pool:team-a");
    expect(cachePartition("team", teamA2)).toBe("pool:team-a");
    expect(cachePartition("key", teamed)).toBe("key:t1");
    expect(cachePartition("team", loner)).toBe("key:solo");
    expect(cachePartition("key", teamA1)).toBe("key:a1");
    // Auth off: no key, one partition whatever the scope.
    for (const scope of ["global", "team", "key"] as CacheScope[]) expect(cachePartition(scope, undefined)).toBe("");
  });
});

describe("ResponseCache.plan", () => {
  const cache = (scope?: CacheScope) => new ResponseCache({ ...DEFAULT_RESPONSE_CACHE, ...(scope ? { scope } : {}) });
  const keyOf = (c: ResponseCache, key: typeof teamA1 | typeof loner | undefined, models = ["gpt-4o-mini"]) => c.plan(request(), { key, models: () => models })!.key;

  it("team (the default): keys of one team share a key, other teams do not", () => {
    const c = cache();
    expect(keyOf(c, teamA1)).toBe(keyOf(c, teamA2));
    expect(keyOf(c, teamA1)).not.toBe(keyOf(c, teamB));
    expect(keyOf(c, teamA1)).not.toBe(keyOf(c, loner));
  });

  it("key: every key alone; global: everyone", () => {
    expect(keyOf(cache("key"), teamA1)).not.toBe(keyOf(cache("key"), teamA2));
    expect(keyOf(cache("global"), teamA1)).toBe(keyOf(cache("global"), teamB));
    expect(keyOf(cache("global"), teamA1)).toBe(keyOf(cache("global"), undefined));
  });

  it("the models a request reaches are in the key (an alias pointed elsewhere starts afresh)", () => {
    const c = cache("global");
    expect(keyOf(c, undefined, ["gpt-4o-mini"])).not.toBe(keyOf(c, undefined, ["gpt-4o-mini", "gpt-4o"]));
    expect(c.plan(request(), { key: undefined, models: () => ["m"] })!.context).toEqual({ partition: "", models: ["m"] });
  });
});

describe("semantic buckets follow the same partition", () => {
  it("a question asked in another partition is in another bucket", () => {
    const ctx = (partition: string) => ({ partition, models: ["gpt-4o-mini"] });
    const q = (partition: string) => semanticQuestion(request(), ctx(partition))!;
    expect(q("team:team-a").text).toBe("Hi");
    expect(q("team:team-a").bucket).toBe(q("team:team-a").bucket);
    expect(q("team:team-a").bucket).not.toBe(q("team:team-b").bucket);
    expect(q("").bucket).toBe(semanticQuestion(request())!.bucket);
  });
});
