// Workers: `hoosh serve` with [server] workers = 1 and = 2 (a budget pool on SQLite, then on Redis), the same
// closed-loop load (non-streaming REST, 64 connections) through each, side by side in one run:
// throughput, latency and CPU per request of all hoosh processes together (/proc, primary + workers).
// The load generator and the mock upstream share the machine's cores with hoosh.
// Run: node --import tsx bench/workers.ts [seconds]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { bundleHoosh } from "../test/harness/bundle.js";
import { startHoosh } from "../test/harness/hoosh.js";
import { startRedis } from "../test/harness/redis.js";
import { runHttpLoad } from "./overhead/load.js";
import { startMockUpstream } from "./mock-upstream/spawn.js";

const seconds = Number(process.argv[2] ?? 5);
const CLOCK_TICKS_PER_S = 100;

const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_S;
};
const family = (primary: number): number[] => {
  try {
    return [primary, ...execFileSync("pgrep", ["-x", "node", "-P", String(primary)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number)];
  } catch {
    return [primary];
  }
};
const totalCpuMs = (pids: number[]) => pids.reduce((sum, p) => sum + cpuMs(p), 0);

const mock = await startMockUpstream({ latencyMs: 0 });
const bundle = await bundleHoosh();
const dir = await mkdtemp(join(tmpdir(), "hoosh-bench-workers-"));

const redis = await startRedis();
const STORES = {
  sqlite: (workers: number) => `kind = "sqlite"\npath = "${join(dir, `w${workers}.db`)}"`,
  redis: (workers: number) => `kind = "redis"\nurl = "${redis.url}"\nprefix = "w${workers}:"`,
};

async function measure(store: keyof typeof STORES, workers: number) {
  const hoosh = await startHoosh(
    `
[server]
workers = ${workers}

[store]
${STORES[store](workers)}

[cache]
mode = "off"

[[budgets]]
name = "default"
capacity = 1000000000000

[[providers]]
name = "mock"
type = "openai"
base_url = "${mock.baseUrl}"
models = ["*"]
`,
    { bundle },
  );
  try {
    const target = { origin: hoosh.url, path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "bench", messages: [{ role: "user", content: "Say hello." }] }) };
    await runHttpLoad(target, { label: "warm-up", concurrency: 64, durationMs: 1000, warmupMs: 0 });
    const pids = family(hoosh.pid);
    const cpu0 = totalCpuMs(pids);
    const r = await runHttpLoad(target, { label: "c64", concurrency: 64, durationMs: seconds * 1000, warmupMs: 0 });
    const cpu1 = totalCpuMs(pids);
    return { store, workers, rps: r.throughput, p50: r.latency.p50, p99: r.latency.p99, failed: r.failed, cpuUsPerRequest: ((cpu1 - cpu0) * 1000) / r.ok };
  } finally {
    await hoosh.stop();
  }
}

const rows = [];
for (const store of ["sqlite", "redis"] as const) rows.push(await measure(store, 1), await measure(store, 2));
await mock.stop();
await redis.stop();
await bundle.remove();
await rm(dir, { recursive: true, force: true });

console.log(`hoosh workers, closed loop c=64, ${seconds} s, a budget pool on SQLite and on Redis (node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)})`);
console.log("| store | workers | req/s | ratio to 1 worker | p50 | p99 | failed | hoosh CPU per request |\n|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const one = rows.find((o) => o.store === r.store && o.workers === 1)!;
  console.log(`| ${r.store} | ${r.workers} | ${r.rps.toFixed(0)} | ${(r.rps / one.rps).toFixed(2)}x | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.failed} | ${r.cpuUsPerRequest.toFixed(0)} µs |`);
}
