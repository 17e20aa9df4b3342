// Micro benchmark: reserve + commit through the BudgetLedger on the memory,
// SQLite and Redis stores, beside the Rust original's "budget reserve+report
// 32 ns". A commit also appends the usage record (one more store step).
// Also the rate windows' per-request cost (take + addTokens), memory and Redis.
// Redis: a redis-server of its own on a loopback port (REDIS_URL to use another).
// Run: node --import tsx bench/micro/budget.ts [OPS]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BudgetLedger, type UsageInput } from "../../server/core/budget/ledger.js";
import type { BudgetStore } from "../../server/store/budget-store.js";
import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";
import { RedisBudgetStore } from "../../server/store/redis/budget-store.js";
import { SqliteBudgetStore } from "../../server/store/sqlite/budget-store.js";
import { startRedis } from "../../test/harness/redis.js";
import { MemoryRateWindows } from "../../server/core/rate-limit/memory.js";
import { RedisRateWindows } from "../../server/store/redis/rate-windows.js";
import type { RateWindows } from "../../server/core/rate-limit/window.js";

const OPS = Number(process.argv[2] ?? 10_000);
const RUST_NS = 32;
const USAGE: UsageInput = { inputTokens: 7, cachedInputTokens: 0, outputTokens: 3, reasoningTokens: 0, audioTokens: 0, costUsdMicros: 5, provider: "bench", cacheHit: false };

interface Row { name: string; opsPerSec: number; medianUs: number; p99Us: number }

const pct = (xs: number[], q: number): number => xs.sort((a, b) => a - b)[Math.floor(xs.length * q)] as number;

async function newLedger(store: BudgetStore, pool: string): Promise<BudgetLedger> {
  const ledger = new BudgetLedger(store);
  await ledger.createPool(pool, { capacityTokens: Number.MAX_SAFE_INTEGER, period: "daily" });
  return ledger;
}

/** One reserve+commit; returns its µs. */
async function once(ledger: BudgetLedger, pool: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await ledger.reserve(pool, { tokens: 10, usdMicros: 0 });
  await ledger.commit(r.reservationId, USAGE);
  return Number(process.hrtime.bigint() - t0) / 1000;
}

/** `concurrency` callers, each doing reserve+commit one after another, OPS in all (after OPS/10 warm-up). */
async function run(name: string, ledger: BudgetLedger, pool: string, concurrency = 1): Promise<Row> {
  const lane = async (n: number, out: number[]) => {
    for (let i = 0; i < n; i++) out.push(await once(ledger, pool));
  };
  await Promise.all(Array.from({ length: concurrency }, () => lane(Math.ceil(OPS / 10 / concurrency), [])));
  const times: number[] = [];
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, () => lane(Math.ceil(OPS / concurrency), times)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name, opsPerSec: times.length / seconds, medianUs: pct(times, 0.5), p99Us: pct(times, 0.99) };
}

/** One rate-window check of a key with rpm and tpm (admitted: the limits are out of reach) plus its token count. */
async function windowRun(name: string, windows: RateWindows): Promise<Row> {
  const limits = { rpm: Number.MAX_SAFE_INTEGER, tpm: Number.MAX_SAFE_INTEGER };
  const times: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < OPS + OPS / 10; i++) {
    const s = process.hrtime.bigint();
    if (!(await windows.take("key:bench", limits, Date.now())).admitted) throw new Error("refused");
    await windows.addTokens("key:bench", 10, Date.now());
    if (i >= OPS / 10) times.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name, opsPerSec: (OPS * 1.1) / seconds, medianUs: pct(times, 0.5), p99Us: pct(times, 0.99) };
}

/** The store alone (no ledger, no usage record): how long a SQLite reserve+commit holds the event loop. */
async function storeOnly(name: string, store: BudgetStore): Promise<Row> {
  await store.createPool("raw", { capacityTokens: Number.MAX_SAFE_INTEGER, period: "daily" }, Date.now());
  const times: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < OPS + OPS / 10; i++) {
    const s = process.hrtime.bigint();
    const r = await store.reserve("raw", { tokens: 10, usdMicros: 0 }, 60_000, Date.now());
    if (r.status !== "reserved") throw new Error(r.status);
    await store.commit(r.reservation.id, { tokens: 10, usdMicros: 5 }, Date.now());
    if (i >= OPS / 10) times.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name, opsPerSec: (OPS * 1.1) / seconds, medianUs: pct(times, 0.5), p99Us: pct(times, 0.99) };
}

const dir = mkdtempSync(join(tmpdir(), "hoosh-bench-budget-"));
const ownRedis = process.env.REDIS_URL ? undefined : await startRedis();
const redisUrl = process.env.REDIS_URL ?? (ownRedis?.url as string);
const rows: Row[] = [];
try {
  rows.push(await run("memory", await newLedger(new MemoryBudgetStore(), "p"), "p"));
  const sqlite = SqliteBudgetStore.open(join(dir, "normal.db"));
  rows.push(await run("sqlite (WAL, synchronous=NORMAL)", await newLedger(sqlite, "p"), "p"));
  rows.push(await storeOnly("sqlite store alone: reserve+commit, no usage record (event-loop time)", sqlite));
  sqlite.close();
  const full = SqliteBudgetStore.open(join(dir, "full.db"), { synchronous: "full" });
  rows.push(await run("sqlite (WAL, synchronous=FULL)", await newLedger(full, "p"), "p"));
  full.close();
  const redis = await RedisBudgetStore.connect(redisUrl, { prefix: `bench${process.pid}:` });
  const ledger = await newLedger(redis, "p");
  rows.push(await run("redis, sequential (1 in flight)", ledger, "p"));
  rows.push(await run("redis, pipelined (64 in flight, one connection)", ledger, "p", 64));
  await redis.close();
  // Rate windows (rpm/tpm of keys, pools, providers): take + addTokens per request.
  rows.push(await windowRun("rate window take+addTokens, memory (rpm+tpm)", new MemoryRateWindows()));
  const windows = await RedisRateWindows.connect(redisUrl, { prefix: `bench${process.pid}:` });
  rows.push(await windowRun("rate window take+addTokens, redis (two Lua scripts, sequential)", windows));
  await windows.close();
} finally {
  await ownRedis?.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`budget micro benchmark: reserve+commit through BudgetLedger, ${OPS} ops (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
console.log("| store | ops/s | median µs/op | p99 µs/op | Rust original (reserve+report) | ratio (median) |\n|---|---|---|---|---|---|");
for (const r of rows) {
  // The Rust figure is for reserve+report; the rate-window rows have no counterpart there.
  const rust = r.name.startsWith("rate window") ? "— | —" : `${RUST_NS} ns | ${Math.round((r.medianUs * 1000) / RUST_NS).toLocaleString("en-US")}×`;
  console.log(`| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString("en-US")} | ${r.medianUs.toFixed(1)} | ${r.p99Us.toFixed(0)} | ${rust} |`);
}
