// Two real hoosh processes sharing one redis-server enforce per-key and
// per-pool rate limits exactly: of 30 requests split across both replicas
// against rpm 10, exactly 10 succeed and 20 are refused with a Retry-After;
// a provider's rpm likewise (the rest go to the next provider); tokens used on one replica refuse the next
// request on the other (tpm); and
// a stopped Redis fails the checks closed with Unavailable, quickly.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { sha256 } from "../auth/helpers.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { user } from "./helpers.js";

const KEYS = { app: "hk_rate_app_0123456789abcdef", free: "hk_rate_free_0123456789abcdef", tok: "hk_rate_tok_0123456789abcdef", spare: "hk_rate_spare_0123456789abcdef" };

let redis: RedisServer;
let fake: FakeOpenAI;
const replicas: Hoosh[] = [];

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeOpenAI();
  const key = (id: keyof typeof KEYS, extra = "") => `[[keys]]\nid = "${id}"\nhash = "${sha256(KEYS[id])}"\nscopes = ["inference"]\n${extra}\n`;
  const config = `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[store]
kind = "redis"
url = "${redis.url}"

[cache]
mode = "off"

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["*"]
breaker = { failures = 100000 }

[[providers]]
name = "limited"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["limited-model"]
priority = 1
rpm = 10
breaker = { failures = 100000 }

[[budgets]]
name = "rpm-pool"
capacity = 100000000
rpm = 10

[[budgets]]
name = "tpm-pool"
capacity = 100000000
tpm = 5

${key("app", "rpm = 10")}
${key("free", 'pools = ["rpm-pool", "tpm-pool"]')}
${key("tok", "tpm = 5")}
${key("spare", "rpm = 1000")}
`;
  replicas.push(...(await Promise.all([startHoosh(config), startHoosh(config)])));
}, 30_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await fake?.stop();
  await redis?.stop();
});

const chat = (i: number, key: string, headers: Record<string, string> = {}) =>
  fetch(`${replicas[i % 2]!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there world" }] }),
  }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { error?: { message: string } } }));

it("key rpm 10: of 30 REST requests across two replicas exactly 10 succeed, 20 get 429 + Retry-After", async () => {
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => chat(i, KEYS.app)));
  const ok = results.filter((r) => r.status === 200);
  const limited = results.filter((r) => r.status === 429);
  console.log(`key rpm: ${ok.length} ok, ${limited.length} limited; retry-after ${[...new Set(limited.map((r) => r.retryAfter))].join(",")}`);
  expect(ok.length).toBe(10);
  expect(limited.length).toBe(20);
  for (const r of limited) {
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    expect(r.body.error?.message).toBe(`API key "app" exceeded its limit of 10 requests per minute; retry in ${r.retryAfter} s`);
  }
});

it("pool rpm 10: of 30 gRPC requests across two replicas exactly 10 succeed, 20 ResourceExhausted naming the pool", async () => {
  const clients = replicas.map((r) => createClient(InferenceService, createGrpcTransport({ baseUrl: r.url })));
  const outcomes = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      clients[i % 2]!.generate(
        { model: "gpt-4o-mini", budgetPool: "rpm-pool", messages: [user(`request ${i}`)] },
        { headers: { authorization: `Bearer ${KEYS.free}` } },
      ).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      ),
    ),
  );
  const refused = outcomes.filter((e): e is ConnectError => e !== undefined);
  expect(outcomes.length - refused.length).toBe(10);
  expect(refused.length).toBe(20);
  for (const e of refused) {
    expect(e.code).toBe(Code.ResourceExhausted);
    const wait = e.metadata.get("retry-after");
    expect(Number(wait)).toBeGreaterThanOrEqual(1);
    expect(e.rawMessage).toBe(`budget pool "rpm-pool" exceeded its limit of 10 requests per minute; retry in ${wait} s`);
  }
});

it("provider rpm 10: of 30 requests across two replicas exactly 10 reach it, the router sends 20 on to the next provider", async () => {
  const clients = replicas.map((r) => createClient(InferenceService, createGrpcTransport({ baseUrl: r.url })));
  const served = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      clients[i % 2]!.generate({ model: "limited-model", messages: [user(`provider ${i}`)] }, { headers: { authorization: `Bearer ${KEYS.spare}` } }).then((res) => res.usage?.provider),
    ),
  );
  expect(served.filter((p) => p === "limited").length).toBe(10);
  expect(served.filter((p) => p === "fake").length).toBe(20);
});

it("pool tpm: tokens used on one replica refuse the next request on the other, naming the pool", async () => {
  const pool = { "x-hoosh-budget-pool": "tpm-pool" };
  const first = await chat(0, KEYS.free, pool);
  expect(first.status).toBe(200); // nothing in the window yet; it uses ~10 tokens > tpm 5
  const next = await chat(1, KEYS.free, pool);
  expect(next.status).toBe(429);
  expect(Number(next.retryAfter)).toBeGreaterThanOrEqual(59);
  expect(next.body.error?.message).toBe(`budget pool "tpm-pool" exceeded its limit of 5 tokens per minute; retry in ${next.retryAfter} s`);
});

it("key tpm: the same across replicas, naming the key", async () => {
  expect((await chat(0, KEYS.tok)).status).toBe(200);
  const next = await chat(1, KEYS.tok);
  expect(next.status).toBe(429);
  expect(next.body.error?.message).toMatch(/^API key "tok" exceeded its limit of 5 tokens per minute; retry in \d+ s$/);
});

it("Redis stopped: the rate check fails closed with Unavailable (503) naming the store, in under 2 s", async () => {
  expect((await chat(0, KEYS.spare)).status).toBe(200);
  await redis.stop();
  for (const i of [0, 1]) {
    const started = performance.now();
    const res = await chat(i, KEYS.spare);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(res.status).toBe(503);
    expect(res.body.error?.message).toMatch(/^budget store unavailable: /);
  }
});
