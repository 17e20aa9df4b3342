// Fast OpenAI-compatible mock upstream for benchmarks, as its own process:
//   node --import tsx bench/mock-upstream/main.ts [--port N] [--latency-ms MS] [--latency-jitter-ms MS]
//     [--chunks N] [--chunk-interval-ms MS] [--error-rate F] [--rate-limit-rate F] [--reply-bytes N] [--exit-with-parent]
// Prints one line once listening on 127.0.0.1: {"port":N,"pid":P}
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createMockUpstream, DEFAULT_MOCK_OPTIONS } from "./server.js";

const d = DEFAULT_MOCK_OPTIONS;
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "latency-ms": { type: "string", default: String(d.latencyMs) },
    "latency-jitter-ms": { type: "string", default: String(d.latencyJitterMs) },
    chunks: { type: "string", default: String(d.chunks) },
    "chunk-interval-ms": { type: "string", default: String(d.chunkIntervalMs) },
    "error-rate": { type: "string", default: String(d.errorRate) },
    "rate-limit-rate": { type: "string", default: String(d.rateLimitRate) },
    "reply-bytes": { type: "string", default: String(d.replyBytes) },
    "exit-with-parent": { type: "boolean", default: false },
  },
});

function num(flag: keyof typeof values, min: number, max = Number.POSITIVE_INFINITY): number {
  const raw = values[flag];
  const n = Number(raw);
  if (typeof raw !== "string" || !Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`mock-upstream: --${flag} must be a number in [${min}, ${max}], got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

const server = createMockUpstream({
  latencyMs: num("latency-ms", 0),
  latencyJitterMs: num("latency-jitter-ms", 0),
  chunks: num("chunks", 1, 100_000),
  chunkIntervalMs: num("chunk-interval-ms", 0),
  errorRate: num("error-rate", 0, 1),
  rateLimitRate: num("rate-limit-rate", 0, 1),
  replyBytes: num("reply-bytes", 1, 64 * 1024 * 1024),
});

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
if (values["exit-with-parent"]) process.stdin.on("end", shutdown).on("error", shutdown).resume();

server.listen(num("port", 0, 65535), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ port, pid: process.pid }) + "\n");
});
