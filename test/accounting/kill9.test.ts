// kill -9 of hoosh under load at random instants, 20 times per store, each time restarted on the
// same store (a SQLite file; a redis-server that outlives the process) and the same outbox file.
// The instants come from a seeded generator; the seed is printed (replay one with
// HOOSH_KILL9_SEED=<seed>). After the last restart has settled what the outbox held:
// - the pool's used tokens equal the sum of its usage records (balance and report agree);
// - every request whose answer reached its caller has its record, with the tokens it was told;
// - no request has two records, and every record belongs to a request that was sent.
// Requests cut off by a kill may or may not have a record (their commit may have run before the
// kill); their holds stay reservations until they expire (test/budget/durability.test.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { bundleHoosh, type Bundle } from "../harness/bundle.js";
import { startHoosh } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { eventually, user } from "./helpers.js";

const KILLS = 20;
const WORKERS = 6;
const SEED = Number(process.env.HOOSH_KILL9_SEED ?? Math.floor(Math.random() * 2 ** 31));

let fake: FakeOpenAI;
let dir: string;
let redis: RedisServer;
// 21 starts per store: the bundle starts several times faster than the sources through tsx.
let bundle: Bundle;
beforeAll(async () => {
  [fake, redis, bundle] = await Promise.all([startFakeOpenAI(), startRedis(), bundleHoosh()]);
  dir = await mkdtemp(join(tmpdir(), "hoosh-kill9-"));
}, 60_000);
afterAll(async () => {
  await fake?.stop();
  await redis?.stop();
  await bundle?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface UsageRow {
  requestId: string;
  tokens: number;
}

const STORES = {
  sqlite: {
    toml: () => `kind = "sqlite"\npath = "${join(dir, "budget.sqlite")}"\noutbox_path = "${join(dir, "outbox-sqlite.db")}"`,
    records: async (): Promise<UsageRow[]> => {
      const db = new Database(join(dir, "budget.sqlite"), { readonly: true });
      try {
        return db
          .prepare<[], { request_id: string; tokens: number }>("SELECT request_id, input_tokens + output_tokens AS tokens FROM usage WHERE pool = 'durable'")
          .all()
          .map((r) => ({ requestId: r.request_id, tokens: r.tokens }));
      } finally {
        db.close();
      }
    },
  },
  redis: {
    toml: () => `kind = "redis"\nurl = "${redis.url}"\noutbox_path = "${join(dir, "outbox-redis.db")}"`,
    records: async (): Promise<UsageRow[]> => {
      const client = new Redis(redis.url);
      try {
        return (await client.zrange("hoosh:usage:durable", "0", "-1")).map((m) => {
          const r = JSON.parse(m.slice(16)) as { requestId: string; inputTokens: number; outputTokens: number };
          return { requestId: r.requestId, tokens: r.inputTokens + r.outputTokens };
        });
      } finally {
        client.disconnect();
      }
    },
  },
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
capacity = 100000000
`;

/** mulberry32: a small seeded generator, so a failing run's kill instants can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(Object.keys(STORES) as (keyof typeof STORES)[])("%s store", (kind) => {
  it(`${KILLS} kills at random instants under load: balance == records, every answer recorded once`, { timeout: 300_000 }, async () => {
    const store = STORES[kind];
    const random = seeded(SEED + (kind === "redis" ? 1 : 0));
    console.log(`${kind}: kill instants seeded with HOOSH_KILL9_SEED=${SEED}`);
    const answered = new Map<string, number>();
    const sent = new Set<string>();
    const instants: number[] = [];

    for (let k = 0; k < KILLS; k++) {
      const hoosh = await startHoosh(config(store.toml()), { bundle });
      const session = new Http2SessionManager(hoosh.url);
      const client = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url, sessionManager: session }));
      let running = true;
      let answers = 0;
      const workers = Array.from({ length: WORKERS }, async (_, w) => {
        for (let n = 0; running; n++) {
          const id = `k${k}-w${w}-n${n}`;
          sent.add(id);
          try {
            const res = await client.generate(
              { model: "kill9-model", budgetPool: "durable", sampling: { maxTokens: 20 }, messages: [user(`kill test ${id}`)] },
              { headers: { "x-request-id": id } },
            );
            answered.set(id, res.usage!.inputTokens + res.usage!.outputTokens);
            answers++;
          } catch {
            return; // cut off by the kill
          }
        }
      });
      // Under load: once this process answers, at a random instant.
      await eventually(async () => expect(answers).toBeGreaterThan(0), 30_000);
      const at = Math.round(random() * 300);
      instants.push(at);
      await new Promise((r) => setTimeout(r, at));
      process.kill(hoosh.pid, "SIGKILL");
      running = false;
      await Promise.all(workers);
      session.abort();
      await hoosh.stop();
    }

    // One last process on the same store settles whatever its predecessors left in the outbox.
    const last = await startHoosh(config(store.toml()), { bundle });
    try {
      await eventually(async () => {
        const text = await (await fetch(`${last.url}/metrics`)).text();
        expect(text).toMatch(/^hoosh_budget_outbox_pending 0$/m);
      }, 30_000);
      const budget = createClient(BudgetService, createGrpcTransport({ baseUrl: last.url }));
      const pool = (await budget.getPool({ name: "durable" })).pool!;
      const records = await store.records();
      const recorded = records.reduce((sum, r) => sum + r.tokens, 0);
      const byRequest = new Map<string, number>();
      for (const r of records) byRequest.set(r.requestId, (byRequest.get(r.requestId) ?? 0) + 1);
      const missing = [...answered.keys()].filter((id) => !byRequest.has(id));
      const twice = [...byRequest].filter(([, n]) => n > 1).map(([id]) => id);
      const strangers = [...byRequest.keys()].filter((id) => !sent.has(id));
      const wrong = records.filter((r) => answered.has(r.requestId) && answered.get(r.requestId) !== r.tokens);
      console.log(
        `${kind}: ${KILLS} kills at ${instants.join(", ")} ms after each process's first answer; ${sent.size} requests sent, ${answered.size} answered; ` +
          `${records.length} records, ${recorded} tokens; used ${pool.usedTokens}, reserved ${pool.reservedTokens} (holds of cut-off requests)`,
      );
      expect(answered.size).toBeGreaterThan(KILLS);
      expect(Number(pool.usedTokens)).toBe(recorded);
      // GetPool says how much is still held by the cut-off requests, and until when.
      expect(pool.activeReservations > 0n).toBe(pool.reservedTokens > 0n);
      expect(pool.holdsUntil !== undefined).toBe(pool.reservedTokens > 0n);
      expect({ missing, twice, strangers, wrong }).toEqual({ missing: [], twice: [], strangers: [], wrong: [] });
    } finally {
      await last.stop();
    }
  });
});
