import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";

import type { GenerateResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ResponseCache } from "../../server/core/cache/response-cache.js";
import { deferred, request, response, tick } from "./helpers.js";

const newCache = () => new ResponseCache({ mode: "deterministic", defaultTtlSeconds: 60, maxTtlSeconds: 600, maxBytes: 1 << 20 });
const live = () => new AbortController().signal;

describe("ResponseCache unary", () => {
  it("stores, then answers hits marked cache_hit with cost 0 and tokens kept", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    let calls = 0;
    const up = async () => { calls++; return response(); };
    const first = await cache.generate(plan, live(), up);
    expect(first.usage).toMatchObject({ cacheHit: false, costUsdMicros: 42n });
    const hit = await cache.generate(plan, live(), up);
    expect(calls).toBe(1);
    expect(hit.message).toEqual(first.message);
    expect(hit.usage).toMatchObject({ cacheHit: true, costUsdMicros: 0n, inputTokens: 10, outputTokens: 3, provider: "openai" });
    hit.usage!.budgetPool = "mutated";
    expect((await cache.generate(plan, live(), up)).usage!.budgetPool).toBe("");
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, coalesced: 0, entries: 1 });
    expect(cache.stats().bytes).toBeGreaterThan(0);
  });

  it("10 concurrent identical requests make one upstream call", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const gate = deferred<GenerateResponse>();
    let calls = 0;
    const up = () => { calls++; return gate.promise; };
    const all = Array.from({ length: 10 }, () => cache.generate(plan, live(), up));
    await tick();
    gate.resolve(response());
    const got = await Promise.all(all);
    expect(calls).toBe(1);
    for (const r of got) expect(r.message).toEqual(response().message);
    expect(got.filter((r) => r.usage!.cacheHit)).toHaveLength(9);
    expect(cache.stats()).toMatchObject({ misses: 10, coalesced: 9, entries: 1 });
  });

  it("an upstream error reaches every caller and nothing is stored", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const gate = deferred<GenerateResponse>();
    let calls = 0;
    const all = Array.from({ length: 5 }, () => cache.generate(plan, live(), () => { calls++; return gate.promise; }));
    gate.reject(new ConnectError("boom", Code.Unavailable));
    const settled = await Promise.allSettled(all);
    expect(calls).toBe(1);
    for (const s of settled) expect(s.status === "rejected" && (s.reason as ConnectError).code).toBe(Code.Unavailable);
    expect(cache.stats().entries).toBe(0);
    // The flight is gone: the next request calls upstream again.
    await cache.generate(plan, live(), async () => { calls++; return response(); });
    expect(calls).toBe(2);
  });

  it("a cancelled leader does not kill followers; the last one leaving aborts upstream", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const gate = deferred<GenerateResponse>();
    let upstreamSignal!: AbortSignal;
    const up = (s: AbortSignal) => { upstreamSignal = s; return gate.promise; };
    const leader = new AbortController();
    const p1 = cache.generate(plan, leader.signal, up);
    const p2 = cache.generate(plan, live(), up);
    leader.abort();
    await expect(p1).rejects.toMatchObject({ code: Code.Canceled });
    expect(upstreamSignal.aborted).toBe(false);
    gate.resolve(response());
    expect((await p2).usage!.cacheHit).toBe(true);

    const gate2 = deferred<GenerateResponse>();
    const plan2 = cache.plan(request({ model: "other" }))!;
    const a = new AbortController();
    const b = new AbortController();
    const q1 = cache.generate(plan2, a.signal, (s) => { upstreamSignal = s; return gate2.promise; });
    const q2 = cache.generate(plan2, b.signal, () => gate2.promise);
    a.abort();
    b.abort();
    await Promise.allSettled([q1, q2]);
    expect(upstreamSignal.aborted).toBe(true);
  });

  it("no_cache skips lookup and sharing; no_store skips storing", async () => {
    const cache = newCache();
    let calls = 0;
    const up = async () => { calls++; return response(); };
    await cache.generate(cache.plan(request({ cache: { noStore: true } }))!, live(), up);
    expect(cache.stats().entries).toBe(0);
    await cache.generate(cache.plan(request())!, live(), up);
    await cache.generate(cache.plan(request({ cache: { noCache: true } }))!, live(), up);
    expect(calls).toBe(3);
  });

  it("expires by ttl", async () => {
    let now = 0;
    const cache = new ResponseCache({ mode: "all", defaultTtlSeconds: 60, maxTtlSeconds: 600, maxBytes: 1 << 20, now: () => now });
    const plan = cache.plan(request({ cache: { ttlSeconds: 5 } }))!;
    let calls = 0;
    const up = async () => { calls++; return response(); };
    await cache.generate(plan, live(), up);
    now = 4999;
    await cache.generate(plan, live(), up);
    now = 5000;
    await cache.generate(plan, live(), up);
    expect(calls).toBe(2);
  });
});

describe("ResponseCache unary accounting", () => {
  it("a hit carries no budget pool: only the leader's upstream (where the charge lives) runs", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const charged: string[] = [];
    const up = async () => {
      charged.push("team-a");
      const r = response();
      r.usage!.budgetPool = "team-a";
      return r;
    };
    expect((await cache.generate(plan, live(), up)).usage!.budgetPool).toBe("team-a");
    const hit = await cache.generate(plan, live(), up);
    expect(hit.usage).toMatchObject({ budgetPool: "", cacheHit: true, costUsdMicros: 0n });
    expect(charged).toEqual(["team-a"]);
  });
});
