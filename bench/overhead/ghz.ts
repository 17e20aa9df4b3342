// Runs ghz (pinned v0.121.0 in .tools/bin, see scripts/install-bench-tools.sh)
// against hoosh.v1.InferenceService/Generate over h2c via server reflection,
// with the same concurrency / rate / duration as the HTTP loads.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { LoadResult, LoadSpec } from "./load.js";
import { REPO_ROOT } from "./gateways.js";

export const GHZ_BIN = join(REPO_ROOT, ".tools", "bin", "ghz");
const run = promisify(execFile);

interface GhzReport {
  count: number;
  total: number; // ns
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  average: number;
  statusCodeDistribution?: Record<string, number>;
  errorDistribution?: Record<string, number>;
}

export function generateRequestJson(prompt: string): string {
  return JSON.stringify({ model: "bench", messages: [{ role: "ROLE_USER", content: [{ text: prompt }] }] });
}

async function ghz(port: number, data: string, spec: LoadSpec, durationMs: number | undefined, count: number | undefined): Promise<GhzReport> {
  if (!existsSync(GHZ_BIN)) throw new Error(`ghz not installed at ${GHZ_BIN}: run scripts/install-bench-tools.sh`);
  const connections = Math.max(1, Math.min(spec.concurrency, Math.ceil(spec.concurrency / 4)));
  const args = ["--insecure", "--call", "hoosh.v1.InferenceService/Generate", "-d", data, "-c", String(spec.concurrency), "--connections", String(connections), "-O", "json", "--timeout", "10s"];
  if (count !== undefined) args.push("-n", String(count));
  else args.push("-z", `${Math.max(1, Math.round(durationMs! / 1000))}s`);
  if (spec.rate) args.push("--rps", String(spec.rate));
  args.push(`127.0.0.1:${port}`);
  const { stdout } = await run(GHZ_BIN, args, { maxBuffer: 64 * 1024 * 1024, timeout: (durationMs ?? 60_000) + 60_000 });
  return JSON.parse(stdout) as GhzReport;
}

/** The measured phase only (the caller reads /proc around it). */
export async function measureGhz(port: number, data: string, spec: LoadSpec): Promise<LoadResult> {
  const r = await ghz(port, data, spec, spec.requests === undefined ? (spec.durationMs ?? 3000) : undefined, spec.requests);
  const ms = (ns: number | undefined) => (ns === undefined ? Number.NaN : ns / 1e6);
  const at = (p: number) => ms(r.latencyDistribution?.find((d) => d.percentage === p)?.latency);
  const okCount = r.statusCodeDistribution?.OK ?? 0;
  // With -z, ghz closes its connections at the deadline and reports the calls it had in flight as
  // "use of closed network connection" (its own side; one per in-flight call): not failures of hoosh.
  const errors = Object.entries(r.errorDistribution ?? {});
  const cutAtDeadline = errors.filter(([e]) => e.includes("use of closed network connection")).reduce((sum, [, n]) => sum + n, 0);
  const failed = r.count - okCount - cutAtDeadline;
  const firstError = errors.find(([e]) => !e.includes("use of closed network connection"))?.[0];
  const wallMs = r.total / 1e6;
  return {
    latency: { count: okCount, p50: at(50), p90: at(90), p99: at(99), mean: ms(r.average) },
    throughput: (okCount / wallMs) * 1000,
    ok: okCount,
    failed,
    wallMs,
    ...(firstError ? { firstError } : {}),
  };
}

export async function warmGhz(port: number, data: string, spec: LoadSpec): Promise<void> {
  if (spec.warmupMs > 0) await ghz(port, data, spec, spec.warmupMs, undefined);
}
