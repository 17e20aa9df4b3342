// `npm run bench`: every benchmark in sequence with progress output, then
// bench/results/<date>.md (all tables), bench/results/<date>-latency.svg
// (overhead p50/p99 vs offered load) and the latest overhead table in
// bench/README.md. Each step is bounded by a timeout; a failing step is
// recorded and the run goes on. Run: node --import tsx bench/all.ts
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { latencySvg, overheadMarkdown } from "./overhead/report.js";
import type { OverheadResult } from "./overhead/run.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const date = new Date().toISOString().slice(0, 10);
const resultsDir = join(ROOT, "bench", "results");

interface Step { name: string; cmd: string; args: string[]; timeoutMs: number }

function runStep(s: Step): Promise<{ out: string; ok: boolean; ms: number; why?: string }> {
  const t0 = Date.now();
  process.stderr.write(`\n=== bench: ${s.name} (${s.cmd} ${s.args.join(" ")})\n`);
  return new Promise((resolve) => {
    const child = spawn(s.cmd, s.args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d; process.stderr.write(d); });
    child.stderr.on("data", (d: Buffer) => process.stderr.write(d));
    const timer = setTimeout(() => { if (child.pid) try { process.kill(child.pid, "SIGTERM"); } catch { /* gone */ } }, s.timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - t0;
      process.stderr.write(`=== bench: ${s.name} ${code === 0 ? "done" : `FAILED (${code ?? signal})`} in ${(ms / 1000).toFixed(1)} s\n`);
      resolve({ out: out.trim(), ok: code === 0, ms, ...(code === 0 ? {} : { why: `exit ${code ?? signal}${signal ? " (timeout?)" : ""}` }) });
    });
  });
}

const node = (file: string, ...args: string[]): Step => ({ name: file, cmd: process.execPath, args: ["--import", "tsx", file, ...args], timeoutMs: 180_000 });
const micro = (await readdir(join(ROOT, "bench", "micro"))).filter((f) => f.endsWith(".ts")).sort();
const overheadJson = join(resultsDir, `${date}-overhead.json`);
await mkdir(resultsDir, { recursive: true });

const steps: Step[] = [
  { name: "startup", cmd: "npm", args: ["run", "--silent", "bench:startup", "--", "5"], timeoutMs: 180_000 },
  // cache.ts's semantic full scan costs ~3 ms a call: 20 batches keep it within the step's timeout.
  ...micro.map((f) => (f === "cache.ts" ? node(`bench/micro/${f}`, "20") : node(`bench/micro/${f}`))),
  node("bench/cpu-per-request.ts"),
  node("bench/relay.ts", "100", "8"),
  node("bench/open-streams.ts", "1000"),
  node("bench/overload.ts", "5"),
  node("bench/workers.ts", "5"),
  node("bench/rest-overhead.ts", "1000", "16"),
  node("bench/mcp-tools.ts", "2000"),
  node("bench/console.ts", "10"),
  { ...node("bench/overhead/run.ts", "--duration-ms", "3000", "--warmup-ms", "1000", "--json", overheadJson), timeoutMs: 600_000 },
];

const sections: string[] = [];
const failures: string[] = [];
for (const s of steps) {
  const r = await runStep(s);
  if (s.name === "bench/overhead/run.ts") continue; // rendered from its JSON below
  sections.push(`## ${s.name}\n\n${r.out || "(no output)"}${r.ok ? "" : `\n\n**failed**: ${r.why}`}`);
  if (!r.ok) failures.push(`${s.name}: ${r.why}`);
}

let overheadMd = "(overhead benchmark produced no result)";
if (existsSync(overheadJson)) {
  const result = JSON.parse(await readFile(overheadJson, "utf8")) as OverheadResult;
  overheadMd = overheadMarkdown(result);
  await writeFile(join(resultsDir, `${date}-latency.svg`), latencySvg(result, `hoosh vs direct vs peer gateways — p50/p99 latency (${date}, shared 2-core machine)`) + "\n");
} else failures.push("bench/overhead/run.ts: no JSON result");

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average at the end ${loadavg().map((x) => x.toFixed(2)).join(" ")}`;
const header = `# Benchmarks ${date}\n\nMachine: ${machine}. **Shared and loaded machine**: other processes were using the cores during this run; compare rows within one run, not across runs or machines.\n`;
const doc = [header, `## Overhead: direct vs hoosh vs peer gateways (bench/overhead)\n\n![latency](${date}-latency.svg)\n\n${overheadMd}`, ...sections, failures.length ? `## Steps that failed\n\n${failures.map((f) => `- ${f}`).join("\n")}` : ""].filter(Boolean).join("\n\n");
await writeFile(join(resultsDir, `${date}.md`), doc + "\n");

const readmePath = join(ROOT, "bench", "README.md");
const readme = await readFile(readmePath, "utf8");
const START = "<!-- overhead-latest:start -->", END = "<!-- overhead-latest:end -->";
const latest = `${START}\nLatest (${date}, ${machine}; shared, loaded machine; full results in results/${date}.md, chart results/${date}-latency.svg):\n\n${overheadMd}\n${END}`;
if (readme.includes(START) && readme.includes(END)) {
  await writeFile(readmePath, readme.slice(0, readme.indexOf(START)) + latest + readme.slice(readme.indexOf(END) + END.length));
} else process.stderr.write("bench: bench/README.md has no overhead-latest markers; not updated\n");
process.stderr.write(`\nbench: wrote bench/results/${date}.md and ${date}-latency.svg${failures.length ? `; failed steps: ${failures.join("; ")}` : ""}\n`);
