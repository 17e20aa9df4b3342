// The shared (Redis) tier of the response cache against a real redis-server:
// the entry codec, the tier's keys and lifetimes, two ResponseCache instances
// (two "replicas") sharing answers, and failing open when Redis is stopped,
// paused or holds garbage.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseConfig } from "../../server/config/index.js";
import { decodeStream, decodeUnary, encodeStream, encodeUnary } from "../../server/core/cache/codec.js";
import { streamEntry, unaryEntry } from "../../server/core/cache/entry.js";
import { ResponseCache } from "../../server/core/cache/response-cache.js";
import { RedisCacheTier } from "../../server/store/redis/cache-tier.js";
import { createRedisClient } from "../../server/store/redis/connection.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { collect, request, response, streamEvents } from "./helpers.js";

describe("codec", () => {
  it("a unary entry round-trips, same size as entry.ts counts", () => {
    const e = unaryEntry(response("Bonjour"));
    const back = decodeUnary(encodeUnary(e));
    expect(back.response).toEqual(e.response);
    expect(back.response.usage?.cacheHit).toBe(true);
    expect(back.bytes).toBe(e.bytes);
  });

  it("a stream entry round-trips event for event", () => {
    const e = streamEntry(streamEvents(["a", "b", "c", "d"]))!;
    const back = decodeStream(encodeStream(e));
    expect(back.events).toEqual(e.events);
    expect(back.bytes).toBe(e.bytes);
  });

  it("refuses foreign, truncated or endless values", () => {
    const stream = encodeStream(streamEntry(streamEvents())!);
    expect(() => decodeUnary(Uint8Array.of(9, 1, 2))).toThrow(/format 9/);
    expect(() => decodeStream(new Uint8Array())).toThrow(/format/);
    expect(() => decodeStream(stream.subarray(0, stream.length - 3))).toThrow();
    // Only the first event (start): a stream without its end is never replayed.
    expect(() => decodeStream(stream.subarray(0, 1 + 1 + stream[1]!))).toThrow(/no end event/);
  });
});

describe("[cache] shared keys", () => {
  const parse = (toml: string) => parseConfig(toml, { source: "hoosh.toml", env: {} });
  it("default to shared, 1 MiB per entry", () => {
    expect(parse("").cache).toMatchObject({ shared: true, shared_max_entry_bytes: 1024 * 1024 });
  });
  it.each([
    ['[cache]\nshared = "yes"', 'hoosh.toml: cache.shared: expected boolean, got string "yes"'],
    ["[cache]\nshared_max_entry_bytes = -1", "hoosh.toml: cache.shared_max_entry_bytes: -1 is not an integer >= 0"],
    ["[cache]\nshard = true", 'hoosh.toml: cache.shard: unknown key (did you mean "shared"?)'],
  ])("%s is refused naming the key", (toml, message) => {
    expect(() => parse(toml)).toThrow(message);
  });
});

describe("RedisCacheTier and ResponseCache with a real redis-server", () => {
  let redis: RedisServer;
  let admin: Redis;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    admin?.disconnect();
    await redis?.stop();
  });

  async function tier(prefix = "t:", timeoutMs = 100, onHealth?: (ok: boolean) => void): Promise<RedisCacheTier> {
    const client = createRedisClient(redis.url, { connectTimeoutMs: 500 });
    clients.push(client);
    await client.connect();
    return new RedisCacheTier(client, { prefix, timeoutMs, onHealth });
  }

  const replica = (shared: RedisCacheTier, sharedMaxEntryBytes?: number) =>
    new ResponseCache({ mode: "deterministic", maxBytes: 1 << 20, defaultTtlSeconds: 60, maxTtlSeconds: 60, shared, sharedMaxEntryBytes });

  /** Waits until the fire-and-forget store has landed. */
  async function waitForKey(key: string): Promise<void> {
    for (let i = 0; i < 100 && !(await admin.exists(key)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await admin.exists(key)).toBe(1);
  }

  it("stores under <prefix>cache:<kind>:<key> with PX; lookup returns the bytes and the time left", async () => {
    const t = await tier("p1:");
    t.store("u", "abc", Uint8Array.of(1, 2, 3), 5000);
    await waitForKey("p1:cache:u:abc");
    const pttl = await admin.pttl("p1:cache:u:abc");
    expect(pttl).toBeGreaterThan(4000);
    expect(pttl).toBeLessThanOrEqual(5000);
    const found = await t.lookup("u", "abc");
    expect([...found!.bytes]).toEqual([1, 2, 3]);
    expect(found!.ttlMs).toBeGreaterThan(4000);
    expect(await t.lookup("s", "abc")).toBeUndefined();
    expect(t.stats()).toEqual({ hits: 1, misses: 1, errors: 0, stores: 1 });
  });

  it("replica B answers from what replica A stored (unary), then from its own LRU", async () => {
    const [ta, tb] = [await tier("p2:"), await tier("p2:")];
    const [a, b] = [replica(ta), replica(tb)];
    const plan = a.plan(request())!;
    let calls = 0;
    const upstream = async () => (calls++, response("shared answer"));
    const first = await a.generate(plan, new AbortController().signal, upstream);
    expect(first.usage?.cacheHit).toBe(false);
    await waitForKey(`p2:cache:u:${plan.key}`);
    const second = await b.generate(b.plan(request())!, new AbortController().signal, upstream);
    expect(calls).toBe(1);
    expect(second.usage?.cacheHit).toBe(true);
    expect(second.usage?.costUsdMicros).toBe(0n);
    expect(second.message).toEqual(first.message);
    expect(b.stats()).toMatchObject({ hits: 1, misses: 0, sharedHits: 1, sharedErrors: 0, entries: 1 });
    // Copied into B's LRU with Redis's remaining lifetime: the next hit does not ask Redis.
    await b.generate(b.plan(request())!, new AbortController().signal, upstream);
    expect(tb.stats().hits).toBe(1);
    expect(b.stats()).toMatchObject({ hits: 2, sharedHits: 1 });
  });

  it("replica B replays a stream replica A recorded, marked as a hit", async () => {
    const [ta, tb] = [await tier("p3:"), await tier("p3:")];
    const [a, b] = [replica(ta), replica(tb)];
    const plan = a.plan(request())!;
    let calls = 0;
    async function* upstream() {
      calls++;
      yield* streamEvents(["Hel", "lo", "!"]);
    }
    const first = await collect(a.generateStream(plan, new AbortController().signal, upstream));
    await waitForKey(`p3:cache:s:${plan.key}`);
    let shared = false;
    const second = await collect(b.generateStream(b.plan(request())!, new AbortController().signal, upstream, () => (shared = true)));
    expect(calls).toBe(1);
    expect(shared).toBe(true);
    const texts = (evs: typeof first) => evs.flatMap((e) => (e.event.case === "text" ? [e.event.value.text] : []));
    expect(texts(second)).toEqual(["Hel", "lo", "!"]);
    const end = second.at(-1)!.event;
    expect(end.case === "end" && end.value.usage?.cacheHit).toBe(true);
    // A shared hit is not written back (that would extend its life).
    expect(tb.stats().stores).toBe(0);
  });

  it("identical requests arriving together on B share one Redis lookup (per-process singleflight)", async () => {
    const a = replica(await tier("p7:"));
    const tb = await tier("p7:");
    const b = replica(tb);
    const plan = a.plan(request())!;
    await a.generate(plan, new AbortController().signal, async () => response("once"));
    await waitForKey(`p7:cache:u:${plan.key}`);
    const never = async (): Promise<never> => { throw new Error("upstream must not be called"); };
    const answers = await Promise.all([1, 2, 3].map(() => b.generate(b.plan(request())!, new AbortController().signal, never)));
    expect(answers.map((r) => r.usage?.cacheHit)).toEqual([true, true, true]);
    expect(tb.stats()).toMatchObject({ hits: 1, misses: 0 });
    expect(b.stats()).toMatchObject({ hits: 1, sharedHits: 1, coalesced: 2 });
  });

  it("an answer larger than sharedMaxEntryBytes stays local", async () => {
    const a = replica(await tier("p4:"), 10);
    const plan = a.plan(request())!;
    await a.generate(plan, new AbortController().signal, async () => response("too big to share"));
    await new Promise((r) => setTimeout(r, 50));
    expect(await admin.exists(`p4:cache:u:${plan.key}`)).toBe(0);
    expect(a.stats().entries).toBe(1);
  });

  it("a value that does not decode is a miss and a shared error", async () => {
    const b = replica(await tier("p5:"));
    const plan = b.plan(request())!;
    await admin.set(`p5:cache:u:${plan.key}`, "garbage", "PX", 5000);
    let calls = 0;
    const res = await b.generate(plan, new AbortController().signal, async () => (calls++, response()));
    expect(calls).toBe(1);
    expect(res.usage?.cacheHit).toBe(false);
    expect(b.stats()).toMatchObject({ sharedHits: 0, sharedErrors: 1, misses: 1 });
  });

  it("fails open: a paused Redis costs a lookup the timeout, a stopped one nothing", async () => {
    const health: boolean[] = [];
    const t = await tier("p6:", 80, (ok) => health.push(ok));
    const c = replica(t);
    // A second replica whose lookups would wait a minute: shows that a stopped Redis is not waited for.
    const patient = replica(await tier("p6:", 60_000));
    const upstream = async () => response("fresh");
    redis.pause();
    try {
      const t0 = performance.now();
      const res = await c.generate(c.plan(request())!, new AbortController().signal, upstream);
      // Answered while Redis is still paused (it resumes only below): the lookup gave up at its
      // timeout rather than waiting for Redis, and not before it.
      expect(res.message).toEqual(response("fresh").message);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(70);
    } finally {
      redis.resume();
    }
    // Logged once when it started failing; once more when Redis answered again.
    await t.lookup("u", "anything");
    expect(health).toEqual([false, true]);
    await redis.stop();
    // Stopped: the client knows the connection is gone (offline queue off) and fails at once,
    // well inside this test's 30 s, where a lookup that waited would take 60 s.
    for (const client of clients.slice(-2)) {
      for (let i = 0; i < 500 && client.status === "ready"; i++) await new Promise((r) => setTimeout(r, 10));
    }
    const other = request({ model: "other-model" });
    for (const r of [c, patient]) {
      const res = await r.generate(r.plan(other)!, new AbortController().signal, upstream);
      expect(res.usage?.cacheHit).toBe(false);
    }
    // Answered twice from upstream, nothing thrown; every failed lookup/store counted.
    expect(c.stats().sharedErrors).toBeGreaterThanOrEqual(2);
    expect(c.stats().entries).toBe(2);
    expect(patient.stats().sharedErrors).toBeGreaterThanOrEqual(1);
  });
});
