// Overhead benchmark: the SAME load (fixed concurrency, fixed request rates)
// (a) direct to the mock upstream, (b) through hoosh's REST shim, (c) through
// hoosh over gRPC with ghz, (d) through Portkey's gateway, (e) through
// LiteLLM's proxy; then a streaming pass (TTFT, inter-chunk gap). Per scenario:
// throughput, p50/p90/p99, added latency vs direct, gateway CPU ms per request
// (/proc utime+stime around the measured phase), peak RSS (VmHWM).
// Run: node --import tsx bench/overhead/run.ts [--duration-ms 3000] [--warmup-ms 1000] [--json FILE] [--only a,b,...]
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { startMockUpstream, type MockUpstream } from "../mock-upstream/spawn.js";
import { portkeyHeaders, startHooshGateway, startLiteLLM, startPortkey, type Gateway } from "./gateways.js";
import { generateRequestJson, measureGhz, warmGhz } from "./ghz.js";
import { runHttpLoad, type HttpTarget, type LoadResult, type LoadSpec } from "./load.js";
import { cpuSeconds, peakRssMiB } from "./proc.js";
import { overheadMarkdown } from "./report.js";
import { runGrpcStreams, runHttpStreams, type StreamResult, type StreamSpec } from "./stream.js";

export type ScenarioName = "direct" | "hoosh-rest" | "hoosh-grpc" | "portkey" | "litellm";
export const ALL_SCENARIOS: ScenarioName[] = ["direct", "hoosh-rest", "hoosh-grpc", "portkey", "litellm"];
export const SCENARIO_LABEL: Record<ScenarioName, string> = {
  direct: "(a) direct to mock",
  "hoosh-rest": "(b) hoosh REST /v1/chat/completions",
  "hoosh-grpc": "(c) hoosh gRPC Generate (ghz)",
  portkey: "(d) Portkey gateway",
  litellm: "(e) LiteLLM proxy",
};

export interface LoadRow {
  scenario: ScenarioName;
  load: LoadSpec;
  result: LoadResult;
  /** Gateway CPU per answered request (ms); undefined for direct. */
  cpuMsPerRequest?: number;
  peakRssMiB?: number;
}

export interface StreamRow { scenario: ScenarioName; result: StreamResult }

export interface OverheadResult {
  rows: LoadRow[];
  streamRows: StreamRow[];
  /** Scenario → why it did not run. */
  skipped: Partial<Record<ScenarioName, string>>;
  setup: string;
}

export interface OverheadOptions {
  mock: MockUpstream;
  scenarios: ScenarioName[];
  loads: LoadSpec[];
  stream?: StreamSpec;
  log?: (line: string) => void;
}

const PROMPT = "how much does the gateway add?";
const chatBody = (stream: boolean) => JSON.stringify({ model: "bench", messages: [{ role: "user", content: PROMPT }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });

function httpTarget(s: ScenarioName, origin: string, mockBaseUrl: string, stream: boolean): HttpTarget {
  const headers: Record<string, string> = { "content-type": "application/json", ...(s === "portkey" ? portkeyHeaders(mockBaseUrl) : {}), ...(s === "litellm" ? { authorization: "Bearer sk-bench" } : {}) };
  return { origin, path: s === "direct" ? "/v1/chat/completions" : "/v1/chat/completions", headers, body: chatBody(stream) };
}

/** Measures one load against one scenario, reading the gateway's /proc counters around the measured phase. */
async function measure(s: ScenarioName, gw: Gateway | undefined, origin: string, mockBaseUrl: string, load: LoadSpec): Promise<LoadRow> {
  let cpu0: number | undefined;
  let result: LoadResult;
  if (s === "hoosh-grpc") {
    const data = generateRequestJson(PROMPT);
    await warmGhz(gw!.port, data, load);
    cpu0 = await cpuSeconds(gw!.pid);
    result = await measureGhz(gw!.port, data, load);
  } else {
    const target = httpTarget(s, origin, mockBaseUrl, false);
    if (load.warmupMs > 0) await runHttpLoad(target, { ...load, durationMs: load.warmupMs, warmupMs: 0, requests: undefined } as LoadSpec);
    cpu0 = gw ? await cpuSeconds(gw.pid) : undefined;
    result = await runHttpLoad(target, { ...load, warmupMs: 0 });
  }
  const cpu1 = gw ? await cpuSeconds(gw.pid) : undefined;
  const row: LoadRow = { scenario: s, load, result };
  if (gw && cpu0 !== undefined && cpu1 !== undefined && result.ok > 0) row.cpuMsPerRequest = ((cpu1 - cpu0) * 1000) / result.ok;
  if (gw) { const rss = await peakRssMiB(gw.pid); if (rss !== undefined) row.peakRssMiB = rss; }
  return row;
}

async function startFor(s: ScenarioName, mockBaseUrl: string, shared: { hoosh?: Gateway }): Promise<Gateway | undefined> {
  switch (s) {
    case "direct": return undefined;
    case "hoosh-rest":
    case "hoosh-grpc": return (shared.hoosh ??= await startHooshGateway(mockBaseUrl));
    case "portkey": return startPortkey();
    case "litellm": return startLiteLLM(mockBaseUrl);
  }
}

export async function runOverhead(o: OverheadOptions): Promise<OverheadResult> {
  const log = o.log ?? (() => {});
  const out: OverheadResult = { rows: [], streamRows: [], skipped: {}, setup: "" };
  const shared: { hoosh?: Gateway } = {};
  try {
    for (const s of o.scenarios) {
      let gw: Gateway | undefined;
      try {
        gw = await startFor(s, o.mock.baseUrl, shared);
      } catch (err) {
        out.skipped[s] = (err as Error).message.split("\n")[0]!.slice(0, 400);
        log(`overhead: ${s} not run: ${out.skipped[s]}`);
        continue;
      }
      const origin = gw ? gw.url : o.mock.url;
      try {
        for (const load of o.loads) {
          log(`overhead: ${s} @ ${load.label} ...`);
          try {
            const row = await measure(s, gw, origin, o.mock.baseUrl, load);
            out.rows.push(row);
            log(`overhead: ${s} @ ${load.label}: ${row.result.throughput.toFixed(0)} req/s, p50 ${row.result.latency.p50.toFixed(2)} ms, p99 ${row.result.latency.p99.toFixed(2)} ms, failed ${row.result.failed}${row.result.firstError ? ` (${row.result.firstError})` : ""}`);
          } catch (err) {
            out.skipped[s] = `${load.label}: ${(err as Error).message.slice(0, 300)}`;
            log(`overhead: ${s} @ ${load.label} failed: ${out.skipped[s]}`);
          }
        }
        if (o.stream) {
          log(`overhead: ${s} streaming ...`);
          try {
            const result = s === "hoosh-grpc" ? await runGrpcStreams(gw!.url, PROMPT, o.stream) : await runHttpStreams(httpTarget(s, origin, o.mock.baseUrl, true), o.stream);
            out.streamRows.push({ scenario: s, result });
          } catch (err) {
            log(`overhead: ${s} streaming failed: ${(err as Error).message}`);
          }
        }
      } finally {
        if (gw && gw !== shared.hoosh) await gw.stop();
      }
    }
  } finally {
    await shared.hoosh?.stop();
  }
  return out;
}

export function defaultLoads(durationMs: number, warmupMs: number, concurrency = 32): LoadSpec[] {
  return [
    { label: "200 rps", concurrency, rate: 200, durationMs, warmupMs },
    { label: "500 rps", concurrency, rate: 500, durationMs, warmupMs },
    { label: `c${concurrency} closed loop`, concurrency, durationMs, warmupMs },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "duration-ms": { type: "string", default: "3000" },
      "warmup-ms": { type: "string", default: "1000" },
      concurrency: { type: "string", default: "32" },
      "latency-ms": { type: "string", default: "10" },
      "latency-jitter-ms": { type: "string", default: "0" },
      chunks: { type: "string", default: "20" },
      "chunk-interval-ms": { type: "string", default: "5" },
      streams: { type: "string", default: "160" },
      only: { type: "string" },
      json: { type: "string" },
    },
  });
  const scenarios = values.only ? (values.only.split(",") as ScenarioName[]).filter((s) => ALL_SCENARIOS.includes(s)) : ALL_SCENARIOS;
  const mockOpts = { latencyMs: Number(values["latency-ms"]), latencyJitterMs: Number(values["latency-jitter-ms"]), chunks: Number(values.chunks), chunkIntervalMs: Number(values["chunk-interval-ms"]), replyBytes: 256 };
  const mock = await startMockUpstream(mockOpts);
  try {
    const loads = defaultLoads(Number(values["duration-ms"]), Number(values["warmup-ms"]), Number(values.concurrency));
    const result = await runOverhead({ mock, scenarios, loads, stream: { concurrency: 16, streams: Number(values.streams), warmupStreams: 32 }, log: (l) => process.stderr.write(l + "\n") });
    result.setup = `mock upstream: ${mockOpts.latencyMs} ms ± ${mockOpts.latencyJitterMs} ms to first byte, ${mockOpts.replyBytes}-byte reply; streams of ${mockOpts.chunks} chunks ${mockOpts.chunkIntervalMs} ms apart. Each load: ${values["warmup-ms"]} ms warm-up (excluded), then ${values["duration-ms"]} ms measured, ${values.concurrency} connections. Node ${process.version}.`;
    if (values.json) await writeFile(values.json, JSON.stringify(result, null, 1));
    process.stdout.write(overheadMarkdown(result) + "\n");
  } finally {
    await mock.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
