// The Connect conformance suite (connectconformance v1.0.7, scripts/install-tools.sh) against
// hoosh's RPC stack: test/conformance/server.ts serves the ConformanceService through
// createRpcHandler() on the one-port listener, and the suite's reference clients (connect-go and
// grpc-go) check every protocol, codec, compression and stream type config.yaml declares,
// over HTTP/1.1 and h2c. Known failures, if any, are listed with their reason in known-failing.txt.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/hoosh.js";
import { run, toolPath } from "../harness/tools.js";

const DIR = join(REPO_ROOT, "test", "conformance");
/** Fewer cases means config.yaml or the runner filtered most of the suite away: a pass that proves little. */
const MIN_CASES = 1_800;

let tmp: string;
let server: string;

beforeAll(async () => {
  // The runner gives a server 10 s to announce its port, several starting at once. Under tsx a
  // start costs 4-5 s of CPU on a busy 2-core machine; bundled (as `npm run build` bundles hoosh)
  // about 1 s, so the runner's fixed timeout holds under load.
  tmp = await mkdtemp(join(tmpdir(), "hoosh-conformance-"));
  server = join(tmp, "server.mjs");
  await build({ entryPoints: [join(DIR, "server.ts")], outfile: server, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning" });
}, 60_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The runner's report without its per-case progress lines, plus the cases that got no answer (a hang). */
function report(stdout: string, stderr: string): string {
  const lines = stdout.split("\n");
  const progress = /^(Sending request|Received response) for "(.*)"\.\.\.$/;
  const waiting = new Set<string>();
  const rest: string[] = [];
  for (const line of lines) {
    const m = progress.exec(line);
    if (!m) rest.push(line);
    else if (m[1] === "Sending request") waiting.add(m[2]!);
    else waiting.delete(m[2]!);
  }
  const stuck = [...waiting];
  const hang = stuck.length ? `\nno answer for ${stuck.length} case(s):\n  ${stuck.slice(0, 20).join("\n  ")}` : "";
  return `${rest.join("\n").trim()}\n${stderr.trim()}${hang}`;
}

it("hoosh's RPC stack passes the Connect conformance suite (Connect, gRPC, gRPC-Web; HTTP/1.1 and h2c)", async () => {
  const args = [
    "--mode", "server",
    "--conf", join(DIR, "config.yaml"),
    "--known-failing", `@${join(DIR, "known-failing.txt")}`,
    // 2 cores: two servers at a time, 4 RPCs in flight each (defaults 4 and 8).
    "--max-servers", "2",
    "--parallel", "4",
    // Per-case progress: when a case hangs, the report names it.
    "--vv",
    "--", process.execPath, server,
  ];
  // About 20 s on a busy 2-core machine; a hung case stalls the runner for good, so stop it well before the test's timeout.
  const result = await run(toolPath("connectconformance"), args, { timeoutMs: 300_000 });
  const output = report(result.stdout, result.stderr);
  const summary = /Total cases: (\d+)\s+(\d+) passed, (\d+) failed/.exec(result.stdout);
  console.log(`connectconformance: ${summary ? `${summary[1]} cases, ${summary[2]} passed, ${summary[3]} failed` : "no summary"} in ${Math.round(result.ms / 1000)} s`);
  expect(result.signal, `connectconformance was killed after ${Math.round(result.ms / 1000)} s:\n${output}`).toBeNull();
  expect(result.code, output).toBe(0);
  expect(summary, output).not.toBeNull();
  expect(Number(summary![1])).toBeGreaterThanOrEqual(MIN_CASES);
}, 360_000);
