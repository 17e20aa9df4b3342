// The official MCP conformance suite (`conformance server --suite active`)
// against hoosh's /mcp: @modelcontextprotocol/conformance 0.1.16 for protocol
// 2025-11-25 (sessions), and 0.2.0-alpha.10 for 2026-07-28 (stateless; 0.1.16
// has no scenarios for it). hoosh stands in front of the reference server the
// suite's scenarios are written for (the
// TypeScript SDK's conformance "everything" server, vendored in
// test/mcp/conformance/everything-server.ts) over Streamable HTTP, unprefixed
// (namespace = "") so the scenarios find their tools by their own names. The
// suite runs on Node 24 from PyPI (scripts/setup-mcp-conformance.sh); hoosh on
// this Node. Scenarios hoosh is expected to fail are listed, with reasons, in
// test/mcp/conformance/expected-failures*.yaml (both empty today).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProcess, type StartedProcess } from "../fakes/spawn.js";
import { REPO_ROOT } from "../harness/hoosh.js";
import { run } from "../harness/tools.js";
import { httpToml, serverState, startMcpHoosh, waitForTools, type McpHoosh } from "./helpers.js";

const DIR = join(REPO_ROOT, ".tools", "mcp-conformance");
const NODE = join(DIR, "node");
const cli = (suite: string) => join(DIR, suite, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
const expected = (file: string) => fileURLToPath(new URL(`./conformance/${file}`, import.meta.url));
const REFERENCE = fileURLToPath(new URL("./conformance/everything-server.ts", import.meta.url));

let reference: StartedProcess;
let h: McpHoosh;
let out: string;

beforeAll(async () => {
  const setup = await run(join(REPO_ROOT, "scripts", "setup-mcp-conformance.sh"), [], { timeoutMs: 600_000 });
  if (setup.code !== 0) throw new Error(`scripts/setup-mcp-conformance.sh failed (${setup.code}):\n${setup.stderr}`);
  out = await mkdtemp(join(tmpdir(), "hoosh-conformance-"));
  reference = await startProcess(REFERENCE, ["--exit-with-parent"]);
  h = await startMcpHoosh(httpToml("reference", `http://localhost:${reference.port}/mcp`, 'namespace = ""\ncall_timeout_ms = 20000'));
  await waitForTools(h, (r) => serverState(r, "reference") === "ready" && r.tools.length > 0);
}, 660_000);

afterAll(async () => {
  await h?.close();
  await reference?.stop();
  if (out) await rm(out, { recursive: true, force: true });
});

async function conformance(suite: string, specVersion: string, expectedFailures: string): Promise<void> {
  const dir = join(out, specVersion);
  const result = await run(
    NODE,
    [cli(suite), "server", "--url", `http://localhost:${h.port}/mcp`, "--suite", "active", "--spec-version", specVersion, "--expected-failures", expected(expectedFailures), "-o", dir],
    { timeoutMs: 300_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: out } },
  );
  const summary = result.stdout.slice(result.stdout.lastIndexOf("=== SUMMARY ==="));
  expect(result.code, `conformance exited ${result.code}\n${summary}\n${result.stderr.slice(-3000)}`).toBe(0);
  expect(summary).toMatch(/Total: [1-9]\d* passed, 0 failed/);
}

describe("MCP conformance suite (server, active)", () => {
  it("protocol 2025-11-25 (conformance 0.1.16): passes every scenario but those in expected-failures.yaml", () => conformance("suite", "2025-11-25", "expected-failures.yaml"), 320_000);

  it("protocol 2026-07-28 (conformance 0.2.0-alpha.10): passes every scenario but those in expected-failures-2026.yaml", () =>
    conformance("suite-2026", "2026-07-28", "expected-failures-2026.yaml"), 320_000);
});
