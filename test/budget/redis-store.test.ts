import { Code } from "@connectrpc/connect";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BudgetLedger } from "../../server/core/budget/ledger.js";
import { RedisBudgetStore } from "../../server/store/redis/budget-store.js";
import { createRedisClient } from "../../server/store/redis/connection.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { checkSerial, sizes } from "./fixtures/serial-replay.js";
import { failure, T0, usage, appendRecord } from "./helpers.js";
import { describeBudgetStoreContract } from "./store-contract.js";

let server: RedisServer;
let client: Redis;
let prefixes = 0;
const fresh = (options = {}) => new RedisBudgetStore(client, { prefix: `t${++prefixes}:`, ...options });

beforeAll(async () => {
  server = await startRedis();
  client = createRedisClient(server.url);
  await client.connect();
});
afterAll(async () => {
  await client?.quit();
  await server?.stop();
});

describeBudgetStoreContract("RedisBudgetStore", () => fresh());

describe("RedisBudgetStore specifics", () => {
  it("forgets finished reservations and charge ids after the retention period (Redis expires them itself)", async () => {
    const prefix = `t${++prefixes}:`;
    const store = new RedisBudgetStore(client, { prefix, finishedRetentionMs: 300 });
    await store.createPool("p", { capacityTokens: 10, period: "none" }, T0);
    const r = await store.reserve("p", { tokens: 1, usdMicros: 0 }, 60_000, T0);
    if (r.status !== "reserved") throw new Error("setup");
    await store.release(r.reservation.id, T0);
    const record = { time: T0, pool: "p", reservationId: "c1", inputTokens: 1, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, audioTokens: 0, costUsdMicros: 0, provider: "x", cacheHit: false };
    expect(await store.charge([{ id: "c1", amount: { tokens: 1, usdMicros: 0 }, record }], T0)).toEqual(["charged"]);
    expect((await store.release(r.reservation.id, T0)).status).toBe("released");
    expect(await store.charge([{ id: "c1", amount: { tokens: 1, usdMicros: 0 }, record }], T0)).toEqual(["duplicate"]);
    expect(await client.pttl(`${prefix}res:${r.reservation.id}`)).toBeGreaterThan(0);
    // Redis's own clock expires the keys: poll until it has (no fixed sleep racing it).
    for (let i = 0; (await client.exists(`${prefix}res:${r.reservation.id}`, `${prefix}charge:c1`)) > 0; i++) {
      expect(i).toBeLessThan(200);
      await new Promise((done) => setTimeout(done, 50));
    }
    expect((await store.release(r.reservation.id, T0)).status).toBe("unknown");
    expect(await store.charge([{ id: "c1", amount: { tokens: 1, usdMicros: 0 }, record }], T0)).toEqual(["charged"]);
  });

  it("keeps working after SCRIPT FLUSH (EVALSHA falls back to EVAL on NOSCRIPT)", async () => {
    const store = fresh();
    await store.createPool("p", { capacityTokens: 10, period: "none" }, T0);
    await client.script("FLUSH");
    expect((await store.reserve("p", { tokens: 4, usdMicros: 0 }, 60_000, T0)).status).toBe("reserved");
    expect(await store.getPool("p", T0)).toMatchObject({ reservedTokens: 4 });
  });

  it("keeps each prefix's data apart, and keeps exact integers up to 2^53-1", async () => {
    const a = fresh();
    const b = fresh();
    const big = Number.MAX_SAFE_INTEGER;
    await a.createPool("p", { capacityTokens: big, capacityUsdMicros: big, period: "monthly" }, T0);
    expect(await b.getPool("p", T0)).toBeUndefined();
    const r = await a.reserve("p", { tokens: big - 1, usdMicros: 1 }, 60_000, T0);
    expect(r).toMatchObject({ status: "reserved", pool: { reservedTokens: big - 1, capacityTokens: big } });
    if (r.status !== "reserved") return;
    expect(await a.commit(r.reservation.id, { tokens: big, usdMicros: 0 }, T0)).toMatchObject({
      pool: { usedTokens: big, reservedTokens: 0, periodStart: Date.UTC(2025, 0, 1) },
    });
  });

  it("returns usage records of one millisecond in the order they were appended", async () => {
    const store = fresh();
    const rec = (reservationId: string, pool: string) => ({ time: T0, pool, reservationId, inputTokens: 1, cachedInputTokens: 0,
      outputTokens: 0, reasoningTokens: 0, audioTokens: 0, costUsdMicros: 0, provider: "x", cacheHit: false });
    for (const [id, pool] of [["c", "a"], ["a", "b"], ["b", "a"], ["d", "b"]]) await appendRecord(store, rec(id!, pool!));
    expect((await store.queryUsage({ start: T0, end: T0 + 1 })).map((r) => r.reservationId)).toEqual(["c", "a", "b", "d"]);
    expect(await store.queryUsage({ end: T0 })).toEqual([]);
  });

  it("uses the default prefix hoosh: and its documented keys", async () => {
    const store = new RedisBudgetStore(client);
    await store.createPool("keys", { capacityTokens: 5, period: "none" }, T0);
    expect(await client.hget("hoosh:pool:keys", "cap_t")).toBe("5");
    expect(await client.sismember("hoosh:pools", "keys")).toBe(1);
  });

  it("connect() with an unreachable URL rejects quickly as unavailable", async () => {
    const t0 = Date.now();
    await expect(RedisBudgetStore.connect("redis://127.0.0.1:1/0", { connectTimeoutMs: 500 })).rejects.toMatchObject({
      code: 14,
      rawMessage: expect.stringMatching(/^budget store unavailable: /),
    });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe("RedisBudgetStore: two replicas (two connections) racing for one pool", () => {
  for (const seed of [1, 42, 2025]) {
    it(`1000 concurrent reserves act as one sequential order: never over capacity, exactly the right ones fail (seed ${seed})`, async () => {
      const prefix = `race${seed}:`;
      const replicas = [await RedisBudgetStore.connect(server.url, { prefix }), await RedisBudgetStore.connect(server.url, { prefix })];
      try {
        const capacity = 50_000;
        await replicas[0]!.createPool("p", { capacityTokens: capacity, period: "none" }, T0);
        const asks = sizes(seed, 1000, 200);
        const sender = asks.map((_, i) => (i * 7 + seed) % 3 === 0 ? 1 : 0);
        const outcomes = await Promise.all(
          asks.map((tokens, i) => replicas[sender[i]!]!.reserve("p", { tokens, usdMicros: 0 }, 60_000, T0)),
        );
        const report = checkSerial(capacity, asks, sender, outcomes);
        expect(report.problems).toEqual([]);
        expect(report.rejected).toBeGreaterThan(0);
        expect(report.held).toBeLessThanOrEqual(capacity);
        for (const r of replicas) expect((await r.getPool("p", T0))?.reservedTokens).toBe(report.held);
        const bySender = (s: number) => outcomes.filter((o, i) => sender[i] === s && o.status === "reserved").length;
        expect(bySender(0) > 0 && bySender(1) > 0).toBe(true);
      } finally {
        for (const r of replicas) await r.close();
      }
    });
  }

  it("interleaved reserves, commits and releases through two ledgers keep the balance exact", async () => {
    const prefix = "mixed:";
    const stores = [await RedisBudgetStore.connect(server.url, { prefix }), await RedisBudgetStore.connect(server.url, { prefix })];
    try {
      const ledgers = stores.map((s) => new BudgetLedger(s, () => T0));
      await ledgers[0]!.createPool("p", { capacityTokens: 10_000, period: "none" });
      const settled = await Promise.all(
        sizes(7, 1000, 50).map(async (tokens, i) => {
          const ledger = ledgers[i % 2]!;
          const r = await ledger.reserve("p", { tokens, usdMicros: 0 }).catch(() => undefined);
          if (!r) return 0;
          if (i % 3 === 0) {
            await ledgers[(i + 1) % 2]!.release(r.reservationId);
            return 0;
          }
          await ledgers[(i + 1) % 2]!.commit(r.reservationId, usage({ inputTokens: tokens, outputTokens: i % 2 }));
          return tokens + (i % 2);
        }),
      );
      const pool = await ledgers[1]!.getPool("p");
      expect(pool.reservedTokens).toBe(0);
      expect(pool.usedTokens).toBe(settled.reduce((a, b) => a + b, 0));
      expect((await stores[0]!.queryUsage({ pool: "p" })).length).toBe(settled.filter((x) => x > 0).length);
    } finally {
      for (const s of stores) await s.close();
    }
  });
});

describe("RedisBudgetStore: Redis outage", () => {
  const TIMEOUT = 300;

  it("rejects fast with Unavailable when Redis hangs or dies, and recovers when it is back", async () => {
    let own = await startRedis();
    const store = await RedisBudgetStore.connect(own.url, { commandTimeoutMs: TIMEOUT, connectTimeoutMs: TIMEOUT, maxReconnectDelayMs: 100, orphanRetryMs: 50 });
    const ledger = new BudgetLedger(store, () => T0);
    const unavailable = async (what: Promise<unknown>): Promise<number> => {
      const t0 = Date.now();
      const err = await failure(what);
      expect([err.code, err.rawMessage]).toEqual([Code.Unavailable, expect.stringMatching(/^budget store unavailable: redis: /)]);
      return Date.now() - t0;
    };
    try {
      await ledger.createPool("p", { capacityTokens: 100, period: "none" });
      own.pause(); // holds the connection, answers nothing: the command timeout fires
      expect(await unavailable(ledger.reserve("p", { tokens: 1, usdMicros: 0 }))).toBeLessThan(TIMEOUT + 500);
      expect(store.orphanCount).toBe(1);
      own.resume();
      expect((await ledger.getPool("p")).capacityTokens).toBe(100);
      // The reserve script ran when Redis resumed, though its caller was told Unavailable: the
      // store releases that hold itself once Redis answers (else it would block 1 token until its TTL).
      const deadline0 = Date.now() + 5000;
      while (store.orphanCount > 0 && Date.now() < deadline0) await new Promise((r) => setTimeout(r, 50));
      expect(store.orphanCount).toBe(0);
      expect((await ledger.getPool("p")).reservedTokens).toBe(0);

      const port = own.port;
      await own.stop(); // gone: calls fail at once (no offline queue), never hang
      for (const call of [ledger.getPool("p"), ledger.reserve("p", { tokens: 1, usdMicros: 0 }), ledger.sweep(), ledger.report({ groupBy: "pool" })]) {
        expect(await unavailable(call)).toBeLessThan(TIMEOUT + 500);
      }
      own = await startRedis({ port }); // back, empty (no persistence), scripts not cached
      const deadline = Date.now() + 5000;
      while (!(await ledger.listPools().then(() => true, () => false)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await ledger.listPools()).toEqual([]);
      expect((await ledger.createPool("p", { capacityTokens: 5, period: "none" })).capacityTokens).toBe(5);
    } finally {
      await store.close();
      await own.stop();
    }
  });
});
