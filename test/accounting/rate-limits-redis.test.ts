// Rate windows in a real redis-server: the same verdicts as the memory windows
// for a random sequence of calls (caller clock), exact counts under 200
// concurrent takes from two connections (Redis clock), and a Redis that is
// stopped or frozen failing closed with Unavailable, quickly.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryRateWindows } from "../../server/core/rate-limit/memory.js";
import { RedisRateWindows } from "../../server/store/redis/rate-windows.js";
import type { RateLimits } from "../../server/core/rate-limit/window.js";
import { startRedis, type RedisServer } from "../harness/redis.js";

let redis: RedisServer;
const opened: RedisRateWindows[] = [];

async function windows(options: { clock?: "redis" | "caller"; prefix?: string } = {}): Promise<RedisRateWindows> {
  const w = await RedisRateWindows.connect(redis.url, { prefix: options.prefix ?? "t:", clock: options.clock });
  opened.push(w);
  return w;
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((w) => w.close()));
  await redis?.stop();
});

describe("RedisRateWindows", () => {
  it("gives the memory windows' verdicts for 2,000 random takes and token additions", async () => {
    const shared = await windows({ clock: "caller", prefix: "parity:" });
    const memory = new MemoryRateWindows();
    // A small deterministic generator (LCG): the sequence is the same on every run.
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const subjects: [string, RateLimits][] = [["pool:a", { rpm: 7 }], ["pool:b", { tpm: 300 }], ["key:c", { rpm: 5, tpm: 120 }]];
    let now = 1_700_000_000_000;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      now += rand(4000);
      const [key, limits] = subjects[rand(subjects.length)]!;
      if (rand(3) === 0) {
        const n = 1 + rand(80);
        await Promise.all([memory.addTokens(key, n, now), shared.addTokens(key, n, now)]);
      } else {
        const [m, r] = await Promise.all([memory.take(key, limits, now), shared.take(key, limits, now)]);
        expect(r, `call ${i} at ${now} on ${key}`).toEqual(m);
        if (!m.admitted) refused++;
      }
    }
    expect(refused).toBeGreaterThan(100); // the limits really were reached
  });

  it("200 concurrent takes from two connections against rpm 50 admit exactly 50", async () => {
    const [a, b] = [await windows(), await windows()];
    const verdicts = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).take("pool:crowd", { rpm: 50 }, 0)));
    const admitted = verdicts.filter((v) => v.admitted).length;
    expect(admitted).toBe(50);
    for (const v of verdicts) if (!v.admitted) expect(v.retryAfterMs).toBeGreaterThan(59_000);
    // Still exactly 50: later takes are refused too.
    expect((await a.take("pool:crowd", { rpm: 50 }, 0)).admitted).toBe(false);
  });

  it("tokens added by one replica refuse the other's next request", async () => {
    const [a, b] = [await windows(), await windows()];
    expect((await a.take("key:t", { tpm: 100 }, 0)).admitted).toBe(true);
    await a.addTokens("key:t", 100, 0);
    const v = await b.take("key:t", { tpm: 100 }, 0);
    expect(v).toMatchObject({ admitted: false, limit: "tpm" });
    if (!v.admitted) expect(v.retryAfterMs).toBeGreaterThan(59_000);
  });

  it("keeps no keys longer than about a minute", async () => {
    const w = await windows({ prefix: "ttl:" });
    await w.take("pool:x", { rpm: 3 }, 0);
    await w.addTokens("pool:x", 5, 0);
    const { Redis } = await import("ioredis");
    const probe = new Redis(redis.url);
    try {
      for (const k of ["ttl:rate:pool:x:req", "ttl:rate:pool:x:tok"]) {
        const ttl = await probe.pttl(k);
        expect(ttl).toBeGreaterThan(55_000);
        expect(ttl).toBeLessThanOrEqual(62_000);
      }
    } finally {
      probe.disconnect();
    }
  });
});

describe("Redis unavailable", () => {
  it("a frozen Redis: Unavailable naming the store after the 1 s command timeout (bound 3 s on a loaded machine)", async () => {
    const w = await windows();
    redis.pause();
    const started = performance.now();
    try {
      const err = ConnectError.from(await w.take("pool:p", { rpm: 5 }, 0).catch((e: unknown) => e));
      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toMatch(/^budget store unavailable: /);
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      redis.resume();
    }
    expect((await w.take("pool:p", { rpm: 5 }, 0)).admitted).toBe(true);
  });

  it("a stopped Redis: Unavailable at once", async () => {
    const w = await windows();
    await redis.stop();
    const started = performance.now();
    const err = ConnectError.from(await w.take("pool:p", { rpm: 5 }, 0).catch((e: unknown) => e));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/^budget store unavailable: /);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
