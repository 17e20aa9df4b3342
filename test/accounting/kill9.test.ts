// kill -9 of a hoosh process under load, then a restart on the same store (a
// SQLite file; a redis-server that outlives the process): every usage a caller
// saw committed is still in the pool, and holds of the requests cut off are
// still only reservations (never charged as used), which expire by their TTL
// (expiry itself, with an injected clock: test/budget/durability.test.ts and
// the store contract run against both stores).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { startHoosh } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";

let fake: FakeOpenAI;
let dir: string;
let redis: RedisServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), "hoosh-kill9-"));
});
afterAll(async () => {
  await fake?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const STORES = {
  sqlite: () => `kind = "sqlite"\npath = "${join(dir, "budget.sqlite")}"`,
  redis: () => `kind = "redis"\nurl = "${redis.url}"`,
};

const config = (store: string) => `
[store]
${store}

[cache]
mode = "off"

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["*"]
breaker = { failures = 100000 }

[[budgets]]
name = "durable"
capacity = 10000000
`;

describe.each(Object.keys(STORES) as (keyof typeof STORES)[])("%s store", (kind) => {
  it("no committed usage is lost, and cut-off requests are held, not charged", { timeout: 90_000 }, async () => {
    const store = STORES[kind]();
    const first = await startHoosh(config(store));
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: first.url }));
    const ask = (i: number, model = "gpt-4o-mini") => ({
      model,
      budgetPool: "durable",
      sampling: { maxTokens: 20 },
      messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: `durable request ${i}` } }] }],
    });

    // Load: quick requests whose answers (with usage) we record, plus slow ones that are still in
    // flight (reserved, not committed) when the process is killed.
    let committed = 0;
    let done = 0;
    const slow = Array.from({ length: 5 }, (_, i) => client.generate(ask(1000 + i, "fake-slow-first-byte")).catch(() => undefined));
    const quick = (async () => {
      for (let i = 0; i < 200; i++) {
        const res = await client.generate(ask(i));
        committed += (res.usage?.inputTokens ?? 0) + (res.usage?.outputTokens ?? 0);
        done++;
      }
    })().catch(() => undefined);
    // Kill once some answers are in and the slow ones are surely in flight (loaded machines are slow).
    const deadline = Date.now() + 15_000;
    while (done < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    process.kill(first.pid, "SIGKILL");
    await Promise.all([quick, ...slow]);
    await first.stop();
    expect(done).toBeGreaterThan(0);

    const second = await startHoosh(config(store));
    try {
      const budget = createClient(BudgetService, createGrpcTransport({ baseUrl: second.url }));
      const pool = (await budget.getPool({ name: "durable" })).pool!;
      console.log(`${kind}: ${done} answers seen before kill -9, ${committed} tokens; after restart used ${pool.usedTokens}, reserved ${pool.reservedTokens}`);
      // Every answer a caller received was committed first (the ledger commits before answering).
      expect(Number(pool.usedTokens)).toBeGreaterThanOrEqual(committed);
      // At most the requests in flight at the kill could have committed without their answer arriving.
      expect(Number(pool.usedTokens)).toBeLessThanOrEqual(committed + 6 * 60);
      // The slow requests' holds survived the kill as reservations (5 holds of prompt + 20 output
      // tokens at most); they expire by TTL (tested with an injected clock in test/budget/durability).
      expect(Number(pool.reservedTokens)).toBeGreaterThan(0);
      expect(Number(pool.reservedTokens)).toBeLessThanOrEqual(5 * 60);
    } finally {
      await second.stop();
    }
  });
});
