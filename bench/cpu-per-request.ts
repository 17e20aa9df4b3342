// Gateway CPU per request, REST shim vs gRPC Generate, side by side in one run: the bundled hoosh
// (what `npm start` runs) in front of the mock upstream, a closed loop of C concurrent callers per
// path for a fixed time, hoosh's utime+stime from /proc divided by answered requests. The callers
// run in this process (undici for REST; a plain node:http2 gRPC client, one session per 8 callers)
// so their CPU is not counted. A quick check for the hot path; `npm run bench` has the full table.
// Run: node --import tsx bench/cpu-per-request.ts [--ms 4000] [--c 32] [--only rest,grpc] [--profile]
import http2 from "node:http2";
import { parseArgs } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Agent, request } from "undici";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, GenerateResponseSchema } from "../gen/ts/hoosh/v1/inference_pb.js";
import { bundleHoosh } from "../test/harness/bundle.js";
import { startHoosh } from "../test/harness/hoosh.js";
import { startMockUpstream } from "./mock-upstream/spawn.js";
import { hooshConfig } from "./overhead/gateways.js";
import { cpuSeconds } from "./overhead/proc.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "4000" }, c: { type: "string", default: "32" }, only: { type: "string", default: "rest,grpc" }, warmup: { type: "string", default: "1000" } } });
const MS = Number(values.ms);
const C = Number(values.c);
const PROMPT = "how much does the gateway add?";

const mock = await startMockUpstream({ latencyMs: 10, latencyJitterMs: 0, chunks: 20, chunkIntervalMs: 5, replyBytes: 256 });
const bundle = await bundleHoosh();
const hoosh = await startHoosh(hooshConfig(mock.baseUrl, 64), { bundle });

async function closedLoop(call: () => Promise<void>, ms: number): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (performance.now() < end) {
        try {
          await call();
          ok++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { ok, failed };
}

const agent = new Agent({ connections: C });
const restBody = JSON.stringify({ model: "bench", messages: [{ role: "user", content: PROMPT }] });
async function rest(): Promise<void> {
  const res = await request(`${hoosh.url}/v1/chat/completions`, { method: "POST", dispatcher: agent, headers: { "content-type": "application/json" }, body: restBody });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${text}`);
}

const sessions = Array.from({ length: Math.max(1, Math.ceil(C / 8)) }, () => http2.connect(hoosh.url));
let turn = 0;
const msg = toBinary(GenerateRequestSchema, create(GenerateRequestSchema, { model: "bench", messages: [{ role: Role.USER, content: [{ part: { case: "text", value: PROMPT } }] }] }));
const frame = Buffer.alloc(5 + msg.length);
frame.writeUInt32BE(msg.length, 1);
frame.set(msg, 5);
function grpc(): Promise<void> {
  const session = sessions[turn++ % sessions.length]!;
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": "/hoosh.v1.InferenceService/Generate", "content-type": "application/grpc", te: "trailers" });
    const chunks: Buffer[] = [];
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("trailers", (t) => {
      if (t["grpc-status"] !== "0") reject(new Error(`grpc-status ${t["grpc-status"]} ${t["grpc-message"]}`));
    });
    stream.on("error", reject);
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      if (body.length < 5) return reject(new Error("no message"));
      fromBinary(GenerateResponseSchema, body.subarray(5));
      resolve();
    });
    stream.end(frame);
  });
}

const paths = { rest, grpc } as const;
const rows: string[] = [];
for (const name of values.only.split(",") as (keyof typeof paths)[]) {
  await closedLoop(paths[name], Number(values.warmup));
  const cpu0 = (await cpuSeconds(hoosh.pid)) ?? 0;
  const t0 = performance.now();
  const { ok, failed } = await closedLoop(paths[name], MS);
  const wall = (performance.now() - t0) / 1000;
  const cpu = ((await cpuSeconds(hoosh.pid)) ?? 0) - cpu0;
  rows.push(`| ${name} | ${C} | ${(ok / wall).toFixed(0)} | ${((cpu * 1e6) / ok).toFixed(0)} | ${failed} |`);
}
for (const s of sessions) s.close();
await agent.close();
await hoosh.stop();
await mock.stop();
await bundle.remove();
console.log(`load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("| path | concurrency | req/s | hoosh CPU µs/req | failed |\n|---|---|---|---|---|\n" + rows.join("\n"));
