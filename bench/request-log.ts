// The request log and spend at scale, on SQLite (the default durable store), in process:
// - write cost: what a request pays on its path (build the record + RequestLog.write: a push),
//   and what the background flush pays per record (one transaction per batch of 500);
// - with N records (default 1,000,000, over 30 days, 1,000 keys, 20 teams): filtered ListRequests
//   pages of 100 (by key, team, model, provider, failures, key + time range; first and deeper
//   pages through the cursor), p50/p95;
// - with N usage records in the budget store: a 30-day usage report grouped by key, team, model
//   and day, p50/p95 (whole days come from the daily sums: store/sqlite/usage-daily.ts; a key
//   mostly uses one model, so a day holds ~2,000 (key, model) combinations, not one per request).
// Run: node --import tsx bench/request-log.ts [N]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RequestLog } from "../server/core/requests/log.js";
import type { RequestLogStore, RequestQuery, RequestRecord } from "../server/core/requests/record.js";
import { SqliteBudgetStore } from "../server/store/sqlite/budget-store.js";
import { SqliteRequestLog } from "../server/store/sqlite/request-log.js";
import type { UsageGroupKey } from "../server/core/budget/report.js";

const N = Number(process.argv[2] ?? 1_000_000);
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);
const START = NOW - 30 * DAY;
const MODELS = ["gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet", "claude-3-haiku", "gemini-1.5-flash", "llama-3.1-8b", "mistral-large", "o1-mini", "deepseek-chat", "qwen-2.5"];
const PROVIDERS = ["openai", "anthropic", "gemini", "ollama", "mistral"];

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

/** Each key mostly uses one model (80 %), else any: the (key, model, provider) combinations of a day are what the daily sums hold. */
function record(i: number): RequestRecord {
  const key = Math.floor(rand() * 1000);
  const m = rand() < 0.8 ? key % MODELS.length : Math.floor(rand() * MODELS.length);
  return {
    time: START + Math.floor((i / N) * 30 * DAY),
    requestId: `req-${i}`,
    keyId: `k-${key}`,
    team: `team-${key % 20}`,
    edge: pick(["grpc", "openai", "anthropic", "rest"]),
    operation: "chat",
    model: MODELS[m]!,
    servedModel: "served",
    provider: PROVIDERS[m % PROVIDERS.length]!,
    attempts: 1,
    status: rand() < 0.02 ? "UNAVAILABLE" : "OK",
    inputTokens: 100 + Math.floor(rand() * 1000),
    cachedInputTokens: 0,
    outputTokens: Math.floor(rand() * 500),
    reasoningTokens: 0,
    costUsdMicros: Math.floor(rand() * 5000),
    latencyMs: 100 + rand() * 900,
    ttftMs: 50 + rand() * 100,
    cacheHit: rand() < 0.1,
    stream: rand() < 0.5,
  };
}

const quantile = (xs: number[], q: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

const dir = await mkdtemp(join(tmpdir(), "hoosh-bench-reqlog-"));
try {
  const rows: string[] = [];

  // 1. Hot-path cost: build + write into a RequestLog whose store takes batches (no I/O here).
  const sink: RequestLogStore = { append: async () => {}, list: async () => ({ records: [] }), prune: async () => 0 };
  const hot = new RequestLog({ store: sink, retentionMs: 7 * DAY, maxRows: 1_000_000 });
  const HOT = 200_000;
  for (let i = 0; i < HOT; i++) hot.write(record(i)); // warm-up
  await hot.flush();
  const recs = Array.from({ length: HOT }, (_, i) => record(i));
  const [hotMs] = await timed(async () => {
    for (const r of recs) hot.write(r);
  });
  await hot.close();
  rows.push(`| on the request path: RequestLog.write (push; tail; batch timer) | ${((hotMs / HOT) * 1000).toFixed(3)} µs per request |`);

  // 2. Filling the store: the background flush's cost per record.
  const log = SqliteRequestLog.open(join(dir, "hoosh.db"));
  const BATCH = 500;
  let batch: RequestRecord[] = [];
  const [fillMs] = await timed(async () => {
    for (let i = 0; i < N; i++) {
      batch.push(record(i));
      if (batch.length === BATCH) {
        await log.append(batch);
        batch = [];
      }
    }
    if (batch.length) await log.append(batch);
  });
  rows.push(`| background flush to SQLite (batches of ${BATCH}, ${N.toLocaleString("en")} records) | ${((fillMs / N) * 1000).toFixed(2)} µs per record |`);

  // 3. Filtered pages.
  const queries: [string, () => Omit<RequestQuery, "limit">][] = [
    ["by key", () => ({ keyId: `k-${Math.floor(rand() * 1000)}` })],
    ["by team, failures", () => ({ team: `team-${Math.floor(rand() * 20)}`, status: "error" })],
    ["by model", () => ({ model: pick(MODELS) })],
    ["by provider + time range (1 day)", () => {
      const start = START + Math.floor(rand() * 29) * DAY;
      return { provider: pick(PROVIDERS), start, end: start + DAY };
    }],
    ["by key + time range (7 days)", () => {
      const start = START + Math.floor(rand() * 23) * DAY;
      return { keyId: `k-${Math.floor(rand() * 1000)}`, start, end: start + 7 * DAY };
    }],
    ["no filter", () => ({})],
  ];
  for (const [name, make] of queries) {
    const first: number[] = [];
    const deeper: number[] = [];
    for (let i = 0; i < 60; i++) {
      const q = make();
      const [t, page] = await timed(() => log.list({ ...q, limit: 100 }));
      first.push(t);
      if (page.next) deeper.push((await timed(() => log.list({ ...q, limit: 100, after: page.next })))[0]);
    }
    rows.push(`| ListRequests page of 100, ${name} | p50 ${ms(quantile(first, 0.5))}, p95 ${ms(quantile(first, 0.95))}; next page p95 ${deeper.length ? ms(quantile(deeper, 0.95)) : "-"} |`);
  }
  const [pruneMs, pruned] = await timed(() => log.prune(NOW - 7 * DAY, 1_000_000));
  rows.push(`| retention pass: drop records older than 7 days | ${pruned.toLocaleString("en")} rows in ${pruneMs.toFixed(0)} ms |`);
  log.close();

  // 4. Usage report over 30 days with N usage records.
  const store = SqliteBudgetStore.open(join(dir, "budget.db"));
  const [usageFillMs] = await timed(async () => {
    for (let i = 0; i < N; i += 1000) {
      const entries = [];
      for (let j = i; j < Math.min(N, i + 1000); j++) {
        const r = record(j);
        entries.push({
          id: `c-${j}`,
          amount: { tokens: 0, usdMicros: 0 },
          record: { time: r.time, pool: "", reservationId: `c-${j}`, inputTokens: r.inputTokens, cachedInputTokens: 0, outputTokens: r.outputTokens, reasoningTokens: 0, audioTokens: 0, costUsdMicros: r.costUsdMicros, provider: r.provider!, cacheHit: r.cacheHit, model: r.model, key: r.keyId, team: r.team },
        });
      }
      await store.charge(entries, NOW);
    }
  });
  rows.push(`| (setup: ${N.toLocaleString("en")} usage records) | ${(usageFillMs / 1000).toFixed(1)} s |`);
  for (const by of ["key", "team", "model", "day"] as UsageGroupKey[]) {
    const times: number[] = [];
    let groups = 0;
    for (let i = 0; i < 7; i++) {
      const [t, report] = await timed(() => store.usageReport({ start: START, end: NOW + 1 }, by));
      times.push(t);
      groups = report.rows.length;
    }
    rows.push(`| 30-day usage report by ${by} (${groups} groups) | p50 ${ms(quantile(times, 0.5))}, p95 ${ms(quantile(times, 0.95))} |`);
  }
  store.close();

  console.log(`| measure (SQLite, ${N.toLocaleString("en")} records) | value |`);
  console.log("|---|---|");
  for (const r of rows) console.log(r);
} finally {
  await rm(dir, { recursive: true, force: true });
}
