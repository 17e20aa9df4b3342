// What Redis must hold per request: hoosh (Redis store, a budget pool, the response cache tier on
// Redis) in front of the mock upstream, N requests with distinct prompts (each a cache miss, so
// each leaves a usage record, a finished reservation kept for its retention, and a cached answer),
// Redis INFO used_memory before and after, per request and scaled to 1M requests.
// Run: node --import tsx bench/redis-memory.ts [requests]
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { Agent, request } from "undici";
import { bundleHoosh } from "../test/harness/bundle.js";
import { startHoosh } from "../test/harness/hoosh.js";
import { startRedis } from "../test/harness/redis.js";
import { startMockUpstream } from "./mock-upstream/spawn.js";

const N = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = 32;
const mock = await startMockUpstream({ latencyMs: 0 });
const redis = await startRedis();
const bundle = await bundleHoosh();
const admin = new Redis(redis.url);

const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
const keyCounts = async () => {
  const counts: Record<string, number> = {};
  for await (const keys of admin.scanStream({ count: 1000 }) as AsyncIterable<string[]>) {
    for (const k of keys) {
      const kind = k.split(":").slice(0, 2).join(":");
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
  }
  return counts;
};

async function run(cache: boolean): Promise<string> {
  await admin.flushall();
  const hoosh = await startHoosh(
    `
[store]
kind = "redis"
url = "${redis.url}"

[cache]
mode = "${cache ? "all" : "off"}"
shared = true

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
    const before = await usedMemory();
    const agent = new Agent({ connections: CONCURRENCY });
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < N; i = next++) {
          const res = await request(`${hoosh.url}/v1/chat/completions`, {
            method: "POST",
            dispatcher: agent,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "bench", messages: [{ role: "user", content: `Say hello in one short sentence, caller ${i}.` }] }),
          });
          await res.body.dump();
          if (res.statusCode !== 200) throw new Error(`request ${i}: HTTP ${res.statusCode}`);
        }
      }),
    );
    await agent.close();
    const perRequest = ((await usedMemory()) - before) / N;
    // The usage records stay (reports read them); finished reservations go after finished_retention_ms.
    const records = Number(await admin.call("MEMORY", "USAGE", "hoosh:usage:default", "SAMPLES", "0")) / N;
    const kinds = Object.entries(await keyCounts()).map(([k, n]) => `${k} ${n}`).join(", ");
    const gib = (bytes: number) => `${((bytes * 1e6) / 2 ** 30).toFixed(2)} GiB`;
    return `| ${cache ? "budget + cache tier" : "budget only (cache off)"} | ${N} | ${perRequest.toFixed(0)} B | ${gib(perRequest)} | ${records.toFixed(0)} B (${gib(records)}) | ${kinds} |`;
  } finally {
    await hoosh.stop();
  }
}

try {
  const rows = [await run(false), await run(true)];
  console.log(`Redis memory per request (used_memory delta / requests; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")})\n`);
  console.log("| state kept | requests | per request | per 1M requests | of which usage records (kept) | keys after the run |\n|---|---|---|---|---|---|");
  console.log(rows.join("\n"));
} finally {
  admin.disconnect();
  await redis.stop();
  await mock.stop();
  await bundle.remove();
}
