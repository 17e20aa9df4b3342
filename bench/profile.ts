// CPU profile of the hoosh process under one of the overhead benchmark's loads.
// Starts the mock upstream, then `node --cpu-prof --import tsx server/main.ts serve`
// (the same config as bench/overhead), drives the load, stops hoosh with SIGINT
// (so V8 writes the .cpuprofile) and prints the top self-time functions and modules.
// Run: node --import tsx bench/profile.ts [grpc|rest|rest-stream|grpc-stream] [--dir DIR] [--ms 4000] [--top 25]
//      node --import tsx bench/profile.ts --summarize FILE.cpuprofile
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { startMockUpstream } from "./mock-upstream/spawn.js";
import { freePort } from "../test/harness/redis.js";
import { hooshConfig, REPO_ROOT } from "./overhead/gateways.js";
import { generateRequestJson, measureGhz } from "./overhead/ghz.js";
import { runHttpLoad } from "./overhead/load.js";
import { runGrpcStreams, runHttpStreams } from "./overhead/stream.js";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) return path.slice(nm + 13);
  if (path.startsWith(REPO_ROOT)) return relative(REPO_ROOT, path);
  return path || "(native)";
}

function moduleOf(url: string): string {
  const s = shortUrl(url);
  if (url.includes("node_modules/")) return s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!;
  if (url.startsWith("node:")) return url;
  if (s.startsWith("server/") || s.startsWith("gen/")) return s.split("/").slice(0, 3).join("/");
  return s;
}

/** Top self time by function (name + file:line) and by module, as Markdown tables. */
export function summarize(p: Profile, top = 25, skipMs = 0): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Samples before skipMs (startup: module loading, config) are left out.
  let t = p.startTime;
  const from = p.startTime + skipMs * 1000;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t >= from) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>(), mod = new Map<string, number>();
  let total = 0, idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") { idle += us; continue; }
    total += us;
    const key = `${functionName || "(anonymous)"} — ${url ? `${shortUrl(url)}:${lineNumber + 1}` : "(native)"}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const m = url ? moduleOf(url) : functionName.startsWith("(") ? functionName : "(native)";
    mod.set(m, (mod.get(m) ?? 0) + us);
  }
  const wall = (p.endTime - p.startTime) / 1000 - skipMs;
  const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(1)} | ${((us / total) * 100).toFixed(1)}% |`).join("\n");
  return [
    `profile: ${(wall / 1000).toFixed(1)} s wall after skipping the first ${(skipMs / 1000).toFixed(1)} s (startup), ${(total / 1000).toFixed(0)} ms busy (non-idle), ${(idle / 1000).toFixed(0)} ms idle`,
    "",
    "| function — file:line | self ms | % of busy |\n|---|---|---|",
    rows(fn),
    "",
    "| module | self ms | % of busy |\n|---|---|---|",
    rows(mod),
  ].join("\n");
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { dir: { type: "string" }, ms: { type: "string", default: "4000" }, top: { type: "string", default: "25" }, summarize: { type: "string" }, "skip-ms": { type: "string", default: "0" } } });
  const top = Number(values.top);
  if (values.summarize) { console.log(summarize(JSON.parse(await readFile(values.summarize, "utf8")) as Profile, top, Number(values["skip-ms"]))); return; }
  const scenario = positionals[0] ?? "grpc";
  const ms = Number(values.ms);
  const dir = values.dir ?? (await mkdtemp(join(tmpdir(), "hoosh-prof-")));
  const mock = await startMockUpstream({ latencyMs: 10, latencyJitterMs: 0, chunks: 20, chunkIntervalMs: 5, replyBytes: 256 });
  const cfgDir = await mkdtemp(join(tmpdir(), "hoosh-prof-cfg-"));
  const config = join(cfgDir, "hoosh.toml");
  await writeFile(config, hooshConfig(mock.baseUrl, 64));
  const port = await freePort();
  const spawnedAt = performance.now();
  let loadAt = 0;
  const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", "tsx", "server/main.ts", "serve", "--config", config, "--port", String(port)], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let tail = "";
  child.stderr!.on("data", (d: Buffer) => { tail = (tail + d).slice(-4000); });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const origin = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try { await (await fetch(`${origin}/v1/models`)).arrayBuffer(); break; } catch { /* not yet */ }
      if (i > 100 || child.exitCode !== null) throw new Error(`hoosh did not start: ${tail}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const body = (stream: boolean) => JSON.stringify({ model: "bench", messages: [{ role: "user", content: "how much does the gateway add?" }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });
    const target = (stream: boolean) => ({ origin, path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: body(stream) });
    const load = { label: "200 rps", concurrency: 32, rate: 200, durationMs: ms, warmupMs: 0 };
    let result: unknown;
    loadAt = performance.now();
    if (scenario === "grpc") result = await measureGhz(port, generateRequestJson("how much does the gateway add?"), load);
    else if (scenario === "rest") result = await runHttpLoad(target(false), load);
    else if (scenario === "rest-stream") result = await runHttpStreams(target(true), { concurrency: 16, streams: Math.round(ms / 8), warmupStreams: 32 });
    else if (scenario === "grpc-stream") result = await runGrpcStreams(origin, "how much does the gateway add?", { concurrency: 16, streams: Math.round(ms / 8), warmupStreams: 32 });
    else throw new Error(`unknown scenario ${scenario}`);
    process.stderr.write(`load result: ${JSON.stringify(result)}\n`);
  } finally {
    child.kill("SIGINT");
    await exited;
    await mock.stop();
  }
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (tsx's loader worker writes its own).
  const file = (await readdir(dir)).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort().pop();
  if (!file) throw new Error(`no .cpuprofile in ${dir}: ${tail}`);
  const skipMs = Math.round(loadAt - spawnedAt);
  console.log(`hoosh CPU profile, scenario ${scenario}, load phase only (${join(dir, file)})\n`);
  console.log(summarize(JSON.parse(await readFile(join(dir, file), "utf8")) as Profile, top, skipMs));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
