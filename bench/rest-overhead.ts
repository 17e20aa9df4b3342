// REST overhead benchmark: the same non-streaming chat completion against the
// same fake upstream, (a) direct, (b) through hoosh's OpenAI-compatible
// /v1/chat/completions, at fixed concurrency, side by side in one run.
// Also hoosh's own x-hoosh-overhead-ms header. Run: node --import tsx bench/rest-overhead.ts [requests] [concurrency]
import { Agent, request } from "undici";
import { startFakeOpenAI } from "../test/fakes/spawn.js";
import { startHoosh } from "../test/harness/hoosh.js";

const REQUESTS = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 16);

const fake = await startFakeOpenAI();
const hoosh = await startHoosh(`
[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["*"]
max_connections = ${CONCURRENCY}
`);
const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
const body = JSON.stringify({ model: "bench", messages: [{ role: "user", content: "how much does the gateway add?" }] });

async function once(url: string, overheads?: number[]): Promise<number> {
  const t0 = performance.now();
  const res = await request(url, { method: "POST", dispatcher: agent, headers: { "content-type": "application/json" }, body });
  await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} from ${url}`);
  const overhead = Number(res.headers["x-hoosh-overhead-ms"]);
  if (overheads && Number.isFinite(overhead)) overheads.push(overhead);
  return performance.now() - t0;
}

async function load(url: string, n: number, overheads?: number[]) {
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < n) latencies.push(await once(url, overheads));
  }));
  return { latencies, wallMs: performance.now() - t0, clientCpu: process.cpuUsage(cpu0) };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const direct = `${fake.baseUrl}/chat/completions`;
const viaHoosh = `${hoosh.url}/v1/chat/completions`;

try {
  await load(direct, 300);
  await load(viaHoosh, 300);
  const d = await load(direct, REQUESTS);
  const overheads: number[] = [];
  const h = await load(viaHoosh, REQUESTS, overheads);
  const row = (name: string, r: Awaited<ReturnType<typeof load>>) =>
    `| ${name} | ${((r.latencies.length / r.wallMs) * 1000).toFixed(0)} | ${pct(r.latencies, 50).toFixed(2)} | ${pct(r.latencies, 90).toFixed(2)} | ${pct(r.latencies, 99).toFixed(2)} |`;
  console.log(`REST overhead: ${REQUESTS} chat completions, concurrency ${CONCURRENCY}, one fake upstream (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
  console.log("| path | req/s | p50 ms | p90 ms | p99 ms |\n|---|---|---|---|---|");
  console.log(row("direct to upstream", d));
  console.log(row("through hoosh /v1/chat/completions", h));
  console.log(`added latency p50 ${(pct(h.latencies, 50) - pct(d.latencies, 50)).toFixed(2)} ms, p99 ${(pct(h.latencies, 99) - pct(d.latencies, 99)).toFixed(2)} ms; hoosh's own x-hoosh-overhead-ms p50 ${pct(overheads, 50).toFixed(2)} ms, p99 ${pct(overheads, 99).toFixed(2)} ms`);
  console.log("(load generator, fake upstream and hoosh share the machine's cores: compare rows of one run, not across machines)");
} finally {
  await agent.close();
  await hoosh.stop();
  await fake.stop();
}
