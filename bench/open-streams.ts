// Memory of many open streams: N streams held open through hoosh at once (the mock upstream
// streams slowly), once over the OpenAI REST shim (SSE, one HTTP/1.1 connection each) and once
// over gRPC GenerateStream (HTTP/2, 100 streams per connection). hoosh's RSS is read from /proc
// once every stream has its first chunk, next to its RSS idle. Goal: <= 150 MB at N = 1,000.
// Run: node --import tsx bench/open-streams.ts [N]
import { readFileSync } from "node:fs";
import { setMaxListeners } from "node:events";
import { loadavg } from "node:os";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Agent, request } from "undici";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { bundleHoosh } from "../test/harness/bundle.js";
import { startHoosh } from "../test/harness/hoosh.js";
import { startMockUpstream } from "./mock-upstream/spawn.js";

const N = Number(process.argv[2] ?? 1000);
const STREAMS_PER_CONNECTION = 100;

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

/** Resolves when `n` calls of `opened` happened. */
function counter(n: number) {
  let count = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  return { all, opened: () => ++count === n && done() };
}

// Slow streams: a chunk every 500 ms, 120 of them (a minute), so every stream stays open while measured.
const mock = await startMockUpstream({ chunks: 120, chunkIntervalMs: 500 });
// The bundle `npm start` runs: what its RSS is, not tsx's compiler's.
const bundle = await bundleHoosh();
const CONFIG = `
[server]
max_concurrent_streams = ${STREAMS_PER_CONNECTION}
max_in_flight = ${N * 2}
[[providers]]
name = "mock"
type = "openai"
base_url = "${mock.baseUrl}"
models = ["*"]
max_connections = ${Math.min(N, 1024)}
`;

async function rest(url: string, pid: number): Promise<number> {
  const agent = new Agent({ connections: N, pipelining: 0 });
  const abort = new AbortController();
  setMaxListeners(N + 10, abort.signal);
  const { all, opened } = counter(N);
  const calls = Array.from({ length: N }, async () => {
    const res = await request(`${url}/v1/chat/completions`, {
      method: "POST",
      dispatcher: agent,
      signal: abort.signal,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "bench", stream: true, messages: [{ role: "user", content: "hello" }] }),
    });
    let first = true;
    for await (const _ of res.body) if (first) { first = false; opened(); }
  });
  await all;
  const rss = rssMiB(pid);
  abort.abort();
  await Promise.allSettled(calls);
  await agent.close();
  return rss;
}

async function grpc(url: string, pid: number): Promise<number> {
  const transports = Array.from({ length: Math.ceil(N / STREAMS_PER_CONNECTION) }, () => createGrpcTransport({ baseUrl: url }));
  const abort = new AbortController();
  setMaxListeners(N + 10, abort.signal);
  const { all, opened } = counter(N);
  const calls = Array.from({ length: N }, async (_, i) => {
    const client = createClient(InferenceService, transports[Math.floor(i / STREAMS_PER_CONNECTION)]!);
    let first = true;
    const stream = client.generateStream({ model: "bench", messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "hello" } }] }] }, { signal: abort.signal });
    for await (const _ of stream) if (first) { first = false; opened(); }
  });
  await all;
  const rss = rssMiB(pid);
  abort.abort();
  await Promise.allSettled(calls);
  return rss;
}

// Each surface in its own hoosh process: the first round's heap growth would count in the second's RSS.
async function measure(round: (url: string, pid: number) => Promise<number>) {
  const hoosh = await startHoosh(CONFIG, { bundle });
  const idle = rssMiB(hoosh.pid);
  const open = await round(hoosh.url, hoosh.pid);
  await hoosh.stop();
  return { idle, open };
}
const restRss = await measure(rest);
const grpcRss = await measure(grpc);
await mock.stop();
await bundle.remove();

console.log(`hoosh RSS with ${N} open slow streams (node ${process.version}, load average ${loadavg()[0]!.toFixed(2)} on 2 cores)`);
console.log("| surface | RSS idle | RSS with the streams open | goal |\n|---|---|---|---|");
console.log(`| REST /v1/chat/completions (SSE) | ${restRss.idle.toFixed(0)} MB | ${restRss.open.toFixed(0)} MB | <= 150 MB |`);
console.log(`| gRPC GenerateStream | ${grpcRss.idle.toFixed(0)} MB | ${grpcRss.open.toFixed(0)} MB | <= 150 MB |`);
