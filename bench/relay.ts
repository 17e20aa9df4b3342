// Streaming relay benchmark: the same fake upstream stream (100 chunks, no
// delay) read directly over SSE vs through hoosh over gRPC, side by side in
// one run: time to first token, total stream time, and what hoosh adds.
// Run: node --import tsx bench/relay.ts [streams] [concurrency]
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Agent, request } from "undici";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI } from "../test/fakes/spawn.js";
import { startHoosh } from "../test/harness/hoosh.js";

const STREAMS = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const CHUNKS = "100";
const prompt = "measure the relay";

const fake = await startFakeOpenAI();
const hoosh = await startHoosh(`
[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["*"]
headers = { "x-fake-chunks" = "${CHUNKS}" }
`);

interface Sample {
  ttftMs: number;
  totalMs: number;
}

const agent = new Agent({ connections: CONCURRENCY });
async function direct(): Promise<Sample> {
  const t0 = performance.now();
  const res = await request(`${fake.baseUrl}/chat/completions`, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/json", "x-fake-chunks": CHUNKS },
    body: JSON.stringify({ model: "bench", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: prompt }] }),
  });
  let ttft = 0;
  for await (const chunk of res.body) if (!ttft && String(chunk).includes('"content"')) ttft = performance.now() - t0;
  return { ttftMs: ttft, totalMs: performance.now() - t0 };
}

const client = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url }));
async function viaHoosh(): Promise<Sample> {
  const t0 = performance.now();
  let ttft = 0;
  for await (const ev of client.generateStream({ model: "bench", messages: [{ role: Role.USER, content: [{ part: { case: "text", value: prompt } }] }] })) {
    if (!ttft && ev.event.case === "text") ttft = performance.now() - t0;
  }
  return { ttftMs: ttft, totalMs: performance.now() - t0 };
}

async function run(fn: () => Promise<Sample>, n: number): Promise<{ samples: Sample[]; wallMs: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) samples.push(await fn());
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

try {
  await run(direct, 50); // warm-up both paths
  await run(viaHoosh, 50);
  const d = await run(direct, STREAMS);
  const h = await run(viaHoosh, STREAMS);
  const row = (name: string, r: { samples: Sample[]; wallMs: number }) => {
    const ttft = r.samples.map((s) => s.ttftMs);
    const total = r.samples.map((s) => s.totalMs);
    return `| ${name} | ${pct(ttft, 50).toFixed(2)} | ${pct(ttft, 99).toFixed(2)} | ${pct(total, 50).toFixed(2)} | ${pct(total, 99).toFixed(2)} | ${((r.samples.length / r.wallMs) * 1000).toFixed(0)} |`;
  };
  console.log(`streaming relay: ${STREAMS} streams of ${CHUNKS} chunks, concurrency ${CONCURRENCY} (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
  console.log("| path | TTFT p50 ms | TTFT p99 ms | stream p50 ms | stream p99 ms | streams/s |\n|---|---|---|---|---|---|");
  console.log(row("direct to upstream (SSE)", d));
  console.log(row("through hoosh (gRPC)", h));
  const added = (f: (s: Sample) => number) => pct(h.samples.map(f), 50) - pct(d.samples.map(f), 50);
  console.log(`hoosh adds ${added((s) => s.ttftMs).toFixed(2)} ms to median TTFT and ${added((s) => s.totalMs).toFixed(2)} ms to the median stream`);
} finally {
  await hoosh.stop();
  await fake.stop();
  await agent.close();
}
