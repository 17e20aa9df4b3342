// Shared parts of the MCP tests: the MCP servers they run (npm's
// server-everything over stdio, test/mcp/fixtures/http-server.ts over
// Streamable HTTP), a `hoosh serve` configured with them, and clients.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConnectError, createClient, type Client as RpcClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolsService, type ListToolsResponse } from "../../gen/ts/hoosh/v1/tools_pb.js";
import { cleanEnv, spawnServe, type ServeProcess } from "../harness/cli.js";
import { REPO_ROOT } from "../harness/hoosh.js";
import { startProcess, type StartedProcess } from "../fakes/spawn.js";

export const EVERYTHING = join(REPO_ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
export const HTTP_SERVER = fileURLToPath(new URL("./fixtures/http-server.ts", import.meta.url));

/** [[mcp_servers]] for npm's server-everything over stdio, run by this Node. */
export function everythingToml(name = "everything", extra = ""): string {
  return `
[[mcp_servers]]
name = "${name}"
transport = "stdio"
command = ${JSON.stringify(process.execPath)}
args = [${JSON.stringify(EVERYTHING)}, "stdio"]
${extra}
`;
}

export function httpToml(name: string, url: string, extra = ""): string {
  return `
[[mcp_servers]]
name = "${name}"
transport = "http"
url = "${url}"
${extra}
`;
}

/** The Streamable HTTP test server as its own process; `mcpUrl` is its endpoint. */
export async function startHttpMcp(): Promise<StartedProcess & { mcpUrl: string }> {
  const proc = await startProcess(HTTP_SERVER, ["--exit-with-parent"]);
  return { ...proc, mcpUrl: `${proc.url}/mcp` };
}

export interface McpHoosh extends ServeProcess {
  dir: string;
  configPath: string;
  tools: RpcClient<typeof ToolsService>;
  close(): Promise<void>;
}

/** `hoosh serve` with this config on an ephemeral port; `tools` is a ToolsService client (Connect over HTTP/1.1). */
export async function startMcpHoosh(configToml: string, key?: string): Promise<McpHoosh> {
  const dir = await mkdtemp(join(tmpdir(), "hoosh-mcp-"));
  const configPath = join(dir, "hoosh.toml");
  await writeFile(configPath, `[server]\nbind = "127.0.0.1"\nshutdown_grace_ms = 1000\n${configToml}`);
  const serve = await spawnServe(["--config", configPath, "--port", "0"], cleanEnv({ HOME: dir, HOOSH_DATA_DIR: dir }));
  return {
    ...serve,
    dir,
    configPath,
    tools: toolsClient(serve.url, key),
    async close() {
      await serve.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A ToolsService client (Connect over HTTP/1.1), sending `key` when given. */
export function toolsClient(baseUrl: string, key?: string): RpcClient<typeof ToolsService> {
  const interceptors = key ? [((next) => (req) => (req.header.set("authorization", `Bearer ${key}`), next(req))) satisfies Interceptor] : [];
  return createClient(ToolsService, createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors }));
}

/** The ConnectError a call failed with (fails the test if it succeeded). */
export async function failure(p: Promise<unknown>): Promise<ConnectError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!err) throw new Error("the call succeeded");
  return err;
}

/** Polls ListTools until `ready` holds (servers connect in the background after hoosh starts). */
export async function waitForTools(h: McpHoosh, ready: (r: ListToolsResponse) => boolean, timeoutMs = 20_000): Promise<ListToolsResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: ListToolsResponse | undefined;
  for (;;) {
    last = await h.tools.listTools({});
    if (ready(last)) return last;
    if (Date.now() > deadline) throw new Error(`ListTools never got ready: ${JSON.stringify(last.servers)}\n${h.stdout().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const serverState = (r: ListToolsResponse, name: string) => r.servers.find((s) => s.name === name)?.state;

/** Text of a result's first text block. */
export function firstText(content: readonly unknown[]): string {
  const block = content.find((c) => (c as { type?: unknown }).type === "text") as { text?: string } | undefined;
  return block?.text ?? "";
}

/** An SDK MCP client connected to hoosh's /mcp. */
export async function mcpClient(url: string, opts: { key?: string; capabilities?: Record<string, unknown> } = {}): Promise<Client> {
  const client = new Client({ name: "hoosh-test", version: "1.0.0" }, { capabilities: opts.capabilities ?? {} });
  const headers: Record<string, string> = opts.key ? { authorization: `Bearer ${opts.key}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** Lines of hoosh's stdout log with this msg. */
export function logLines(h: ServeProcess, msg: string): Record<string, unknown>[] {
  return h
    .stdout()
    .split("\n")
    .flatMap((l) => {
      try {
        const o = JSON.parse(l) as Record<string, unknown>;
        return o.msg === msg ? [o] : [];
      } catch {
        return [];
      }
    });
}
