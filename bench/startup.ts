// Startup benchmark: time from spawning `hoosh serve` to (a) the "listening"
// log line and (b) the first answered gRPC health check and GetHardware call,
// while hardware detection is still running in the background. Also the
// process's RSS once it answers. Run: npm run bench:startup [-- runs]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "../gen/ts/grpc/health/v1/health_pb.js";
import { HardwareService } from "../gen/ts/hoosh/v1/hardware_pb.js";

// The bundle `npm start` runs (npm run build writes it).
const MAIN = fileURLToPath(new URL("../dist/hoosh.js", import.meta.url));
const runs = Number(process.argv[2] ?? 10);

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function once(configPath: string) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, "serve", "--config", configPath, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      buf += d;
      const m = /"port":(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`hoosh exited ${code}`)));
  });
  const listening = performance.now() - t0;
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
  const health = await createClient(Health, transport).check({});
  const healthMs = performance.now() - t0;
  const hw = await createClient(HardwareService, transport).getHardware({});
  const hardwareMs = performance.now() - t0;
  const rss = rssKiB(child.pid!);
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return { listening, healthMs, hardwareMs, detectionComplete: hw.hardware?.detectionComplete ?? false, status: health.status, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), "hoosh-bench-"));
const configPath = join(dir, "hoosh.toml");
await writeFile(configPath, `[[providers]]\nname = "local"\ntype = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodels = ["*"]\n`);
await once(configPath); // warm-up: tsx's compile cache
const results = [];
for (let i = 0; i < runs; i++) results.push(await once(configPath));
const row = (name: string, xs: number[], unit = "ms") => `| ${name} | ${median(xs).toFixed(0)} ${unit} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`;
console.log(`hoosh startup, ${runs} runs after one warm-up (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
console.log("| measure | median | min | max |\n|---|---|---|---|");
console.log(row("spawn → listening log line", results.map((r) => r.listening)));
console.log(row("spawn → first health check answered", results.map((r) => r.healthMs)));
console.log(row("spawn → first GetHardware answered", results.map((r) => r.hardwareMs)));
console.log(row("RSS after first answers", results.map((r) => r.rss / 1024), "MiB"));
console.log(`GetHardware answered before detection completed in ${results.filter((r) => !r.detectionComplete).length} of ${runs} runs`);
