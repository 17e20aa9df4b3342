// tools/call through hoosh vs directly. One MCP server (test/mcp/fixtures/http-server.ts, Streamable
// HTTP, its own process) answers `echo`; the same SDK client calls it (a) directly, (b) through
// hoosh's /mcp (MCP client → hoosh → server), and (c) over hoosh's gRPC ToolsService/CallTool
// (Connect client over h2c → hoosh → server). Calls are sequential (one in flight), rounds
// alternate between the paths so load drifts hit all alike; a warm-up is excluded. "added" is a
// path's percentile minus the direct path's. "CPU ms/call" is user+system time (/proc) of the hoosh
// process and of the MCP server process over each path's calls: what each call costs them, less
// sensitive than latency to other load on the machine. hoosh runs from the sources (node --import
// tsx) with auth on (a key with the tools scope), the audit chain in memory and the access log
// silent (log_level = "warn").
// Run: node --import tsx bench/mcp-tools.ts [CALLS_PER_PATH]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolsService } from "../gen/ts/hoosh/v1/tools_pb.js";
import { startProcess } from "../test/fakes/spawn.js";
import { HTTP_SERVER } from "../test/mcp/helpers.js";
import { spawnServe, cleanEnv } from "../test/harness/cli.js";
import { summarize, type LatencySummary } from "./overhead/stats.js";
import { cpuSeconds } from "./overhead/proc.js";

// The SDK's fetch-based client transport adds an abort listener per request to one long-lived
// signal; Node warns about it. Both client paths here use that transport alike: keep the output clean.
process.removeAllListeners("warning");
process.on("warning", (w) => w.name !== "MaxListenersExceededWarning" && console.error(w));

const CALLS = Number(process.argv[2] ?? 3000);
const ROUNDS = 10;
const WARMUP = 300;
const KEY = "hk_bench_tools_0123456789abcdef";

async function mcp(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

const server = await startProcess(HTTP_SERVER, ["--exit-with-parent"]);
const dir = await mkdtemp(join(tmpdir(), "hoosh-bench-mcp-"));
const config = join(dir, "hoosh.toml");
await writeFile(
  config,
  `
[server]
bind = "127.0.0.1"
[observability]
log_level = "warn"
[[keys]]
id = "bench"
hash = "${createHash("sha256").update(KEY).digest("hex")}"
scopes = ["tools"]
tools = ["*"]
[[mcp_servers]]
name = "web"
transport = "http"
url = "${server.url}/mcp"
max_concurrent_calls = 64
`,
);
const hoosh = await spawnServe(["--config", config, "--port", "0"], cleanEnv({ HOME: dir, HOOSH_DATA_DIR: dir }));
try {
  const auth = { authorization: `Bearer ${KEY}` };
  const grpc = createClient(ToolsService, createGrpcTransport({ baseUrl: hoosh.url, interceptors: [(next) => (req) => (req.header.set("authorization", auth.authorization), next(req))] }));
  for (let i = 0; ; i++) {
    const { servers } = await grpc.listTools({});
    if (servers[0]?.state === "ready") break;
    if (i > 200) throw new Error("the MCP server never got ready behind hoosh");
    await new Promise((r) => setTimeout(r, 50));
  }
  const direct = await mcp(`${server.url}/mcp`);
  const via = await mcp(`${hoosh.url}/mcp`, auth);
  const args = { text: "hello" };
  const paths: Record<string, () => Promise<unknown>> = {
    direct: () => direct.callTool({ name: "echo", arguments: args }),
    "hoosh /mcp": () => via.callTool({ name: "web.echo", arguments: args }),
    "hoosh gRPC CallTool": () => grpc.callTool({ name: "web.echo", arguments: args }),
  };
  for (const call of Object.values(paths)) for (let i = 0; i < WARMUP; i++) await call();
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
  const cpu: Record<string, { hoosh: number; server: number }> = Object.fromEntries(Object.keys(paths).map((k) => [k, { hoosh: 0, server: 0 }]));
  const perRound = Math.ceil(CALLS / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, call] of Object.entries(paths)) {
      const h0 = (await cpuSeconds(hoosh.pid)) ?? 0;
      const s0 = (await cpuSeconds(server.pid)) ?? 0;
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        await call();
        samples[name]!.push(performance.now() - t0);
      }
      cpu[name]!.hoosh += ((await cpuSeconds(hoosh.pid)) ?? 0) - h0;
      cpu[name]!.server += ((await cpuSeconds(server.pid)) ?? 0) - s0;
    }
  }
  const stats: Record<string, LatencySummary> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
  const base = stats.direct!;
  const ms = (v: number) => v.toFixed(3);
  const lines = [
    `tools/call latency, ${perRound * ROUNDS} sequential calls per path (${ROUNDS} alternating rounds, ${WARMUP} warm-up each), ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}, Node ${process.versions.node}`,
    "",
    "| path | p50 ms | p90 ms | p99 ms | mean ms | added p50 | added p99 | hoosh CPU ms/call | server CPU ms/call |",
    "|---|---|---|---|---|---|---|---|---|",
    ...Object.entries(stats).map(
      ([k, s]) =>
        `| ${k} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.mean)} | ${k === "direct" ? "" : ms(s.p50 - base.p50)} | ${k === "direct" ? "" : ms(s.p99 - base.p99)} | ${((cpu[k]!.hoosh * 1000) / s.count).toFixed(2)} | ${((cpu[k]!.server * 1000) / s.count).toFixed(2)} |`,
    ),
  ];
  console.log(lines.join("\n"));
  await direct.close();
  await via.close();
} finally {
  await hoosh.stop();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
