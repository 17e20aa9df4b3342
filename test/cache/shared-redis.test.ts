// The response cache shared by hoosh replicas through Redis: two real hoosh
// processes on one real redis-server and one fake OpenAI upstream. An answer
// given by replica A is a hit on replica B (unary, stream, REST header), with
// one upstream call; entries expire in Redis; a replica with [cache] shared =
// false neither reads nor writes them; a stopped Redis never turns the cache
// into an error or a delay (local hits still answer; fresh requests are the
// budget store's call, which fails closed), and sharing resumes when it is back.
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { create } from "@bufbuild/protobuf";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";

import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { cacheKey } from "../../server/core/cache/key.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";

let redis: RedisServer;
let admin: Redis;
let fake: FakeOpenAI;
let a: Hoosh;
let b: Hoosh;
let local: Hoosh;

const config = (shared: boolean) =>
  fakeProviderConfig(fake.baseUrl, `
[store]
kind = "redis"
url = "${redis.url}"
prefix = "sh:"

[cache]
shared = ${shared}
# Generous: a loaded test machine can stall a replica's event loop past the 100 ms default.
shared_timeout_ms = 2000
`);

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeOpenAI()]);
  admin = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  [a, b, local] = await Promise.all([startHoosh(config(true)), startHoosh(config(true)), startHoosh(config(false))]);
}, 30_000);

afterAll(async () => {
  admin?.disconnect();
  await Promise.all([a?.stop(), b?.stop(), local?.stop()]);
  await fake?.stop();
  await redis?.stop();
});

const grpc = (h: Hoosh): Client<typeof InferenceService> => createClient(InferenceService, createGrpcTransport({ baseUrl: h.url }));

const ask = (text: string, ttlSeconds?: number) => ({
  model: "gpt-4o-mini",
  messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }],
  sampling: { temperature: 0 },
  cache: ttlSeconds === undefined ? undefined : { ttlSeconds },
});

/** Upstream chat calls whose body mentions `text`. */
async function upstreamCalls(text: string): Promise<number> {
  const events = await fake.events();
  return events.filter((e) => e.type === "request" && e.path === "/v1/chat/completions" && JSON.stringify(e.body).includes(text)).length;
}

/** One unlabelled sample from a replica's /metrics. */
async function metric(h: Hoosh, name: string): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return Number(line?.split(" ")[1]);
}

/** The cache key hoosh computes for ask(text). */
const keyOf = (text: string) => cacheKey(create(GenerateRequestSchema, ask(text)));

/** The shared keys of one kind ("u" | "s"). */
const sharedKeys = (kind: string) => admin.keys(`sh:cache:${kind}:*`);

/** Stores are fire-and-forget after the answer: wait until `count` keys of `kind` exist. */
async function waitForKeys(kind: string, count: number): Promise<string[]> {
  let keys: string[] = [];
  for (let i = 0; i < 200 && (keys = await sharedKeys(kind)).length < count; i++) await new Promise((r) => setTimeout(r, 10));
  expect(keys).toHaveLength(count);
  return keys;
}

it("unary: answered by A, a hit on B; one upstream call; GetCacheStats on B counts the hit", async () => {
  const first = await grpc(a).generate(ask("shared unary"));
  expect(first.usage?.cacheHit).toBe(false);
  await waitForKeys("u", 1);
  const second = await grpc(b).generate(ask("shared unary"));
  expect(second.usage?.cacheHit).toBe(true);
  expect(second.usage?.costUsdMicros).toBe(0n);
  expect(second.message).toEqual(first.message);
  expect(await upstreamCalls("shared unary")).toBe(1);
  const stats = await grpc(b).getCacheStats({});
  expect(stats.hits).toBe(1n);
  expect(stats.entries).toBe(1n);
  expect(await metric(b, "hoosh_cache_shared_hits_total")).toBe(1);
  expect(await metric(b, "hoosh_cache_shared_errors_total")).toBe(0);
  // Its own connection (short timeouts), named apart from the budget store's: one per sharing replica.
  const names = String(await admin.client("LIST")).match(/name=hoosh-cache\b/g);
  expect(names).toHaveLength(2);
});

it("stream: recorded on A, replayed on B with the identical text, marked as a hit", async () => {
  const texts = async (h: Hoosh) => {
    const out: string[] = [];
    let hit: boolean | undefined;
    for await (const ev of grpc(h).generateStream(ask("shared stream"))) {
      if (ev.event.case === "text") out.push(ev.event.value.text);
      if (ev.event.case === "end") hit = ev.event.value.usage?.cacheHit;
    }
    return { out, hit };
  };
  const first = await texts(a);
  expect(first.hit).toBe(false);
  await waitForKeys("s", 1);
  const second = await texts(b);
  expect(second.out).toEqual(first.out);
  expect(second.out.length).toBeGreaterThan(0);
  expect(second.hit).toBe(true);
  expect(await upstreamCalls("shared stream")).toBe(1);
});

it("REST: x-hoosh-cache is miss on A and hit on B, for unary and SSE", async () => {
  const post = async (h: Hoosh, stream: boolean) => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", temperature: 0, stream, messages: [{ role: "user", content: `shared rest ${stream}` }] }),
    });
    return { header: res.headers.get("x-hoosh-cache"), body: await res.text() };
  };
  for (const stream of [false, true]) {
    const kind = stream ? "s" : "u";
    const before = (await sharedKeys(kind)).length;
    expect((await post(a, stream)).header).toBe("miss");
    await waitForKeys(kind, before + 1);
    expect((await post(b, stream)).header).toBe("hit");
    expect(await upstreamCalls(`shared rest ${stream}`)).toBe(1);
  }
});

it("TTL: a request's cache ttl_seconds = 1 is Redis's PX; the entry is gone after it", async () => {
  const before = (await sharedKeys("u")).length;
  await grpc(a).generate(ask("short lived", 1));
  await waitForKeys("u", before + 1);
  // The short-lived one: the only key with a PTTL of at most 1 s (the others have the default 300 s).
  const ttls = await Promise.all((await sharedKeys("u")).map(async (k) => [k, await admin.pttl(k)] as const));
  const short = ttls.filter(([, ms]) => ms > 0 && ms <= 1000);
  expect(short).toHaveLength(1);
  const [shortKey] = short[0]!;
  for (let i = 0; i < 40 && (await admin.exists(shortKey)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await admin.exists(shortKey)).toBe(0);
  // Gone in Redis: B (which never held it locally) asks upstream again.
  expect((await grpc(b).generate(ask("short lived", 1))).usage?.cacheHit).toBe(false);
  expect(await upstreamCalls("short lived")).toBe(2);
});

it("[cache] shared = false: that replica neither reads nor writes the shared tier", async () => {
  // "shared unary" is in Redis (A answered it); the per-process replica does not see it.
  expect((await grpc(local).generate(ask("shared unary"))).usage?.cacheHit).toBe(false);
  expect(await upstreamCalls("shared unary")).toBe(2);
  // Its own answers stay in its process.
  expect((await grpc(local).generate(ask("local only"))).usage?.cacheHit).toBe(false);
  expect((await grpc(local).generate(ask("local only"))).usage?.cacheHit).toBe(true);
  await new Promise((r) => setTimeout(r, 50));
  expect(await admin.exists(`sh:cache:u:${keyOf("shared unary")}`)).toBe(1);
  expect(await admin.exists(`sh:cache:u:${keyOf("local only")}`)).toBe(0);
});

it("Redis stopped: cache lookups fail open at once; local hits still answer", async () => {
  await redis.stop();
  // B holds "shared unary" in its own LRU since the first test: still a hit, fast.
  let t0 = performance.now();
  const hit = await grpc(b).generate(ask("shared unary"));
  expect(hit.usage?.cacheHit).toBe(true);
  expect(performance.now() - t0).toBeLessThan(1000);
  // A fresh request misses the cache without a cache error or delay; what happens next is the
  // budget store's call (it fails closed while Redis is down, not this test's subject).
  t0 = performance.now();
  const outcome = await grpc(a).generate(ask("while redis is down")).then(
    (res) => ({ ok: true, message: String(res.usage?.cacheHit) }),
    (err: Error) => ({ ok: false, message: err.message }),
  );
  expect(performance.now() - t0).toBeLessThan(1000);
  // Either answered, or refused by the budget store; never a cache error.
  if (!outcome.ok) expect(outcome.message).toMatch(/^\[unavailable\] budget store unavailable/);
  const stats = await grpc(a).getCacheStats({});
  expect(stats.misses).toBeGreaterThan(0n);
});

it("Redis back (same port, empty): the failures were counted and sharing resumes", async () => {
  redis = await startRedis({ port: redis.port });
  // Wait until both replicas' budget stores have reconnected (hoosh_budget_store_up reads Redis on scrape).
  for (const h of [a, b]) {
    for (let i = 0; i < 100 && (await metric(h, "hoosh_budget_store_up").catch(() => NaN)) !== 1; i++) await new Promise((r) => setTimeout(r, 50));
  }
  const errors = await metric(a, "hoosh_cache_shared_errors_total");
  expect(errors).toBeGreaterThan(0);
  expect((await grpc(a).generate(ask("after the restart"))).usage?.cacheHit).toBe(false);
  await waitForKeys("u", 1);
  expect((await grpc(b).generate(ask("after the restart"))).usage?.cacheHit).toBe(true);
});
