// Tools under hoosh's keys: the "tools" scope, the per-key tool allowlist
// (nothing until granted; ListTools, CallTool and /mcp enforce the same list),
// per-key and per-server rates, and every call in the audit chain.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sha256 } from "../auth/helpers.js";
import { failure, httpToml, mcpClient, serverState, startHttpMcp, startMcpHoosh, toolsClient, waitForTools, type McpHoosh } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000 });

const KEY = {
  agent: "hk_tools_agent_0123456789abcdef",
  bare: "hk_tools_bare_0123456789abcdef",
  model: "hk_tools_model_0123456789abcdef",
  admin: "hk_tools_admin_0123456789abcdef",
  rated: "hk_tools_rated_0123456789abcdef",
};

let server: Awaited<ReturnType<typeof startHttpMcp>>;
let h: McpHoosh;

const toolsFor = (key?: string) => toolsClient(h.url, key);

beforeAll(async () => {
  server = await startHttpMcp();
  h = await startMcpHoosh(
    `
[observability]
audit_path = "audit.jsonl"

[[keys]]
id = "agent"
hash = "${sha256(KEY.agent)}"
scopes = ["tools"]
tools = ["web.echo", "web.add", "limited.*"]

[[keys]]
id = "bare"
hash = "${sha256(KEY.bare)}"
scopes = ["tools"]

[[keys]]
id = "model"
hash = "${sha256(KEY.model)}"
scopes = ["inference"]
tools = ["*"]

[[keys]]
id = "admin"
hash = "${sha256(KEY.admin)}"
scopes = ["admin"]
tools = ["*"]

[[keys]]
id = "rated"
hash = "${sha256(KEY.rated)}"
scopes = ["tools"]
tools = ["*"]
tool_rpm = 2

${httpToml("web", server.mcpUrl)}
${httpToml("limited", server.mcpUrl, "rpm = 1")}
`,
    KEY.admin,
  );
  await waitForTools(h, (r) => serverState(r, "web") === "ready" && serverState(r, "limited") === "ready");
}, 60_000);

afterAll(async () => {
  await h?.close();
  await server?.stop();
});

describe("tools and keys", () => {
  it("lists only the tools a key's patterns grant; none without patterns", async () => {
    const agent = await toolsFor(KEY.agent).listTools({});
    expect(agent.tools.map((t) => t.name).filter((n) => n.startsWith("web."))).toEqual(["web.add", "web.echo"]);
    expect((await toolsFor(KEY.bare).listTools({})).tools).toEqual([]);
  });

  it("refuses a call the allowlist does not grant, before looking the tool up", async () => {
    const denied = await failure(toolsFor(KEY.agent).callTool({ name: "web.fail", arguments: {} }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toBe('API key "agent" may not call tool "web.fail" (its [[keys]] tools patterns do not match it)');
    const unknownDenied = await failure(toolsFor(KEY.bare).callTool({ name: "web.nope", arguments: {} }));
    expect(unknownDenied.code).toBe(Code.PermissionDenied);
    expect((await toolsFor(KEY.agent).callTool({ name: "web.echo", arguments: { text: "ok" } })).isError).toBe(false);
  });

  it("refuses keys without the tools scope, and calls without a key, on every edge", async () => {
    const scope = await failure(toolsFor(KEY.model).listTools({}));
    expect(scope.code).toBe(Code.PermissionDenied);
    expect(scope.rawMessage).toBe('API key "model" lacks scope "tools"');
    expect((await failure(toolsFor().listTools({}))).code).toBe(Code.Unauthenticated);

    const rest = await fetch(`${h.url}/v1/tools/list`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY.model}` }, body: "{}" });
    expect(rest.status).toBe(403);

    const mcp = (key?: string) =>
      fetch(`${h.url}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
      });
    const noKey = await mcp();
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("www-authenticate")).toBe('Bearer realm="hoosh"');
    const noScope = await mcp(KEY.model);
    expect(noScope.status).toBe(403);
    expect(((await noScope.json()) as { error: { message: string } }).error.message).toBe('API key "model" lacks scope "tools"');
  });

  it("applies the same allowlist on /mcp, and binds a session to its key", async () => {
    const client = await mcpClient(`${h.url}/mcp`, { key: KEY.agent });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names.filter((n) => n.startsWith("web."))).toEqual(expect.arrayContaining(["web.add", "web.echo"]));
      expect(names).not.toContain("web.fail");
      const denied = await client.callTool({ name: "web.fail", arguments: {} }).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(McpError);
      expect((denied as McpError).code).toBe(ErrorCode.InvalidParams);
      // Another key cannot use this session.
      const sessionId = (client.transport as { sessionId?: string }).sessionId!;
      const hijack = await fetch(`${h.url}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${KEY.admin}`, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
      });
      expect(hijack.status).toBe(404);
    } finally {
      await client.close();
    }
  });

  it("limits a key's tool calls per minute (tool_rpm) and a server's (rpm)", async () => {
    const rated = toolsFor(KEY.rated);
    await rated.callTool({ name: "web.echo", arguments: { text: "1" } });
    await rated.callTool({ name: "web.echo", arguments: { text: "2" } });
    const third = await failure(rated.callTool({ name: "web.echo", arguments: { text: "3" } }));
    expect(third.code).toBe(Code.ResourceExhausted);
    expect(third.rawMessage).toMatch(/^API key "rated" exceeded its limit of 2 tool calls per minute \(\[\[keys\]\] tool_rpm\); retry in \d+ s$/);

    const agent = toolsFor(KEY.agent);
    await agent.callTool({ name: "limited.echo", arguments: { text: "1" } });
    const again = await failure(agent.callTool({ name: "limited.echo", arguments: { text: "2" } }));
    expect(again.code).toBe(Code.ResourceExhausted);
    expect(again.rawMessage).toMatch(/^MCP server "limited" exceeded its limit of 1 calls per minute/);
  });

  it("records each call in the audit chain: key, tool, server, duration, outcome (no arguments without log_prompts)", async () => {
    await toolsFor(KEY.agent).callTool({ name: "web.add", arguments: { a: 5, b: 6 } });
    const audit = await vi.waitFor(
      async () => {
        const lines = (await readFile(join(h.dir, "audit.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { actor: string; action: string; details: Record<string, unknown> });
        const found = lines.find((l) => l.action === "tool.call" && l.details.tool === "web.add" && l.actor === "key:agent");
        expect(found).toBeDefined();
        return { lines, found: found! };
      },
      { timeout: 5_000 },
    );
    expect(audit.found.details).toMatchObject({ key: "agent", server: "web", server_tool: "add", outcome: "ok", edge: "rpc" });
    expect(audit.found.details.arguments).toBeUndefined();
    expect(audit.lines.some((l) => l.action === "tool.call" && l.details.outcome === "error" && l.details.code === "permission_denied")).toBe(true);
    const verify = await fetch(`${h.url}/hoosh/admin/audit/verify`, { headers: { authorization: `Bearer ${KEY.admin}` } });
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
  });
});
