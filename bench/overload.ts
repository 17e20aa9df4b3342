// Overload: offered twice the throughput hoosh can serve, it sheds early and cheaply and keeps the
// requests it accepts fast, and no answer blames the (healthy) budget store.
// 1. capacity: closed loop, 32 connections, non-streaming REST through hoosh to the mock upstream;
// 2. overload: a fixed rate of 2x that capacity with up to 1,024 requests in flight.
// hoosh runs with a budget pool on a real Redis (the store whose command timeouts used to fire
// when the event loop saturated) and [server] max_in_flight = 32, max_queued = 32.
// Run: node --import tsx bench/overload.ts [seconds]
import { loadavg } from "node:os";
import { startRedis } from "../test/harness/redis.js";
import { bundleHoosh } from "../test/harness/bundle.js";
import { startHoosh } from "../test/harness/hoosh.js";
import { runHttpLoad, type HttpTarget } from "./overhead/load.js";
import { startMockUpstream } from "./mock-upstream/spawn.js";

const seconds = Number(process.argv[2] ?? 5);
const mock = await startMockUpstream({ latencyMs: 0 });
const redis = await startRedis();
const bundle = await bundleHoosh();

const target = (origin: string): HttpTarget => ({
  origin,
  path: "/v1/chat/completions",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "bench", messages: [{ role: "user", content: "Say hello in one short sentence." }] }),
});

/** Capacity, then twice that, against one hoosh started with these [server] lines. */
async function scenario(serverToml: string) {
  const hoosh = await startHoosh(
    `
[server]
max_in_flight = 32
max_queued = 32
queue_timeout_ms = 50
${serverToml}

[store]
kind = "redis"
url = "redis://127.0.0.1:${redis.port}"

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
    const capacity = await runHttpLoad(target(hoosh.url), { label: "c32", concurrency: 32, durationMs: seconds * 1000, warmupMs: 1000 });
    const offered = Math.round(capacity.throughput * 2);
    const overload = await runHttpLoad(target(hoosh.url), { label: `${offered} rps`, concurrency: 1024, rate: offered, durationMs: seconds * 1000, warmupMs: 0 });
    return { capacity, offered, overload };
  } finally {
    await hoosh.stop();
  }
}

const scenarios = [
  { name: "max_in_flight 32, max_queued 32", result: await scenario("") },
  { name: "same + max_event_loop_delay_ms 20", result: await scenario("max_event_loop_delay_ms = 20") },
];
await redis.stop();
await mock.stop();
await bundle.remove();

const f = (n: number) => n.toFixed(2);
console.log(`Overload through hoosh REST with a Redis budget pool (node ${process.version}, load average ${loadavg()[0]!.toFixed(2)} on 2 cores, ${seconds} s per phase)`);
console.log("| hoosh | phase | offered | answered 2xx/s | shed (non-2xx) | accepted p50 | accepted p99 (goal < 50 ms) | shed answer p50 | answers blaming the store |\n|---|---|---|---|---|---|---|---|---|");
for (const { name, result: { capacity, offered, overload } } of scenarios) {
  const storeBlamed = Object.entries(overload.rejections ?? {}).filter(([text]) => /store/i.test(text)).reduce((n, [, c]) => n + c, 0);
  console.log(`| ${name} | capacity (closed loop, c=32) | - | ${capacity.throughput.toFixed(0)} | ${capacity.failed} | ${f(capacity.latency.p50)} ms | ${f(capacity.latency.p99)} ms | - | - |`);
  console.log(`| ${name} | 2x capacity (open loop) | ${offered}/s | ${overload.throughput.toFixed(0)} | ${overload.failed} (${JSON.stringify(overload.statuses)}) | ${f(overload.latency.p50)} ms | ${f(overload.latency.p99)} ms | ${f(overload.rejectedLatency?.p50 ?? Number.NaN)} ms | ${storeBlamed} |`);
}
for (const { name, result } of scenarios) for (const [text, n] of Object.entries(result.overload.rejections ?? {})) console.log(`- ${name}: ${n} x ${text}`);
