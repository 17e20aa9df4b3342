// Startup benchmark, from spawning `hoosh serve` (the bundle `npm start` runs):
// - through a mock OpenAI upstream: to the "listening" log line, to the first answered health
//   check, to the first Generate answered, and the CPU the process spent until then (less
//   noisy than wall time on a shared machine);
// - on the embedded default config: to listening (the model loads in the background), what
//   grpc.health says about the model at that moment, and to the first Generate answered (it
//   waits for the load).
// Run: npm run bench:startup [-- runs]
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/ts/grpc/health/v1/health_pb.js";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { startMockUpstream } from "./mock-upstream/spawn.js";
import { median } from "./lib/stats.js";

const MAIN = fileURLToPath(new URL("../dist/hoosh.js", import.meta.url));
const runs = Number(process.argv[2] ?? 10);
const CLOCK_TICKS_PER_S = 100;

function procStats(pid: number): { rssMiB: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { rssMiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, cpuMs: ((Number(stat[11]) + Number(stat[12])) * 1000) / CLOCK_TICKS_PER_S };
}

/** Spawns hoosh and resolves once its "listening" line names the port. */
async function spawnHoosh(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; t0: number; listening: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"], env });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      buf += d;
      const m = /"port":(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`hoosh exited ${code}`)));
  });
  return { child, port, t0, listening: performance.now() - t0 };
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

const generate = (transport: Transport, model: string) =>
  createClient(InferenceService, transport).generate({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "What is the capital of France?" } }] }], sampling: { maxTokens: 8 } });

async function throughMock(configPath: string) {
  const { child, port, t0, listening } = await spawnHoosh(["--config", configPath], process.env);
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
  await createClient(Health, transport).check({});
  const healthMs = performance.now() - t0;
  await generate(transport, "bench");
  const generateMs = performance.now() - t0;
  const { rssMiB, cpuMs } = procStats(child.pid!);
  await stop(child);
  return { listening, healthMs, generateMs, rssMiB, cpuMs };
}

async function embeddedDefault() {
  const { child, port, t0, listening } = await spawnHoosh([], process.env);
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
  const health = await createClient(Health, transport).check({ service: "hoosh.provider.embedded" });
  const loadingAtListen = health.status === HealthCheckResponse_ServingStatus.NOT_SERVING;
  await generate(transport, "default");
  const generateMs = performance.now() - t0;
  const { cpuMs } = procStats(child.pid!);
  await stop(child);
  return { listening, generateMs, loadingAtListen, cpuMs };
}

const row = (name: string, xs: number[], unit = "ms") => `| ${name} | ${median(xs).toFixed(0)} ${unit} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`;

const mock = await startMockUpstream({ latencyMs: 0 });
const dir = await mkdtemp(join(tmpdir(), "hoosh-bench-"));
const configPath = join(dir, "hoosh.toml");
await writeFile(configPath, `[[providers]]\nname = "mock"\ntype = "openai"\nbase_url = "${mock.baseUrl}"\nmodels = ["*"]\n`);
await throughMock(configPath); // warm-up: file cache
const viaMock = [];
for (let i = 0; i < runs; i++) viaMock.push(await throughMock(configPath));
const embedded = [];
for (let i = 0; i < Math.max(1, Math.ceil(runs / 2)); i++) embedded.push(await embeddedDefault());
await mock.stop();

console.log(`hoosh startup, ${runs} runs after one warm-up (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0]!.toFixed(2)} on 2 cores)`);
console.log("| measure | median | min | max |\n|---|---|---|---|");
console.log(row("mock upstream: spawn → listening log line", viaMock.map((r) => r.listening)));
console.log(row("mock upstream: spawn → first health check answered", viaMock.map((r) => r.healthMs)));
console.log(row("mock upstream: spawn → first Generate answered (goal ≤ 300 ms)", viaMock.map((r) => r.generateMs)));
console.log(row("mock upstream: CPU spent until then", viaMock.map((r) => r.cpuMs)));
console.log(row("mock upstream: RSS after the first answer", viaMock.map((r) => r.rssMiB), "MiB"));
console.log(row("embedded default: spawn → listening (goal ≤ 400 ms)", embedded.map((r) => r.listening)));
console.log(row("embedded default: spawn → first Generate answered (waits for the model)", embedded.map((r) => r.generateMs)));
console.log(`embedded default: grpc.health said hoosh.provider.embedded NOT_SERVING (loading) at listen time in ${embedded.filter((r) => r.loadingAtListen).length} of ${embedded.length} runs`);
