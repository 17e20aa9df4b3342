// hoosh as an MCP server: the official SDK client connects to /mcp (Streamable
// HTTP) and sees the tools, resources and prompts of a stdio server
// (server-everything) and an HTTP server together, namespaced; calls relay
// progress, log messages and sampling requests both ways; list changes reach
// the client; errors are JSON-RPC errors; DNS rebinding is refused.
import http from "node:http";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { everythingToml, httpToml, mcpClient, serverState, startHttpMcp, startMcpHoosh, waitForTools, type McpHoosh } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000 });

let server: Awaited<ReturnType<typeof startHttpMcp>>;
let h: McpHoosh;
let client: Client;

beforeAll(async () => {
  server = await startHttpMcp();
  h = await startMcpHoosh(`${everythingToml()}${httpToml("web", server.mcpUrl, "call_timeout_ms = 1000")}`);
  await waitForTools(h, (r) => serverState(r, "web") === "ready" && serverState(r, "everything") === "ready");
  client = await mcpClient(`${h.url}/mcp`, { capabilities: { sampling: {} } });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await h?.close();
  await server?.stop();
});

const text = (r: Record<string, unknown>) => ((r.content as { type: string; text?: string }[]).find((c) => c.type === "text")?.text ?? "");

async function rpcError(p: Promise<unknown>): Promise<McpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof McpError)) throw new Error(`expected an McpError, got ${String(err)}`);
  return err;
}

describe("hoosh's /mcp endpoint", () => {
  it("serves every configured server's tools under valid, distinct names", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["everything.echo", "web.echo", "web.add"]));
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => /^[A-Za-z0-9._-]{1,128}$/.test(n))).toBe(true);
    expect(tools.find((t) => t.name === "web.add")?.inputSchema).toMatchObject({ properties: { a: { type: "number" } } });
  });

  it("calls tools of both servers", async () => {
    expect(text(await client.callTool({ name: "everything.echo", arguments: { message: "via mcp" } }))).toBe("Echo: via mcp");
    const sum = await client.callTool({ name: "web.add", arguments: { a: 1, b: 2 } });
    expect(sum.structuredContent).toEqual({ sum: 3 });
    const failed = await client.callTool({ name: "web.fail", arguments: {} });
    expect(failed.isError).toBe(true);
  });

  it("relays the server's progress with the client's own progress token", async () => {
    const seen: number[] = [];
    const res = await client.request({ method: "tools/call", params: { name: "web.progress", arguments: { steps: 3 } } }, CallToolResultSchema, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(text(res)).toBe("done in 3 steps");
  });

  it("relays log messages of a call, filtered by the session's level", async () => {
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    await client.callTool({ name: "web.log", arguments: {} });
    await vi.waitFor(() => expect(logs).toEqual(["first", "second"]), { timeout: 2_000 });
    logs.length = 0;
    await client.setLoggingLevel("info");
    await client.callTool({ name: "web.log", arguments: {} });
    await vi.waitFor(() => expect(logs).toEqual(["first"]), { timeout: 2_000 });
    await client.setLoggingLevel("debug");
  });

  it("relays the server's sampling request to the client and its answer back", async () => {
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: "assistant",
      model: "test",
      content: { type: "text", text: `echoing ${(req.params.messages[0]!.content as { text: string }).text}` },
    }));
    expect(text(await client.callTool({ name: "web.ask", arguments: { prompt: "ping" } }))).toBe("model said: echoing ping");
  });

  it("serves resources (own URIs, namespaced names) and prompts of the servers", async () => {
    const { resources } = await client.listResources();
    expect(resources).toContainEqual(expect.objectContaining({ uri: "mem://greeting", name: "web.greeting" }));
    expect(resources.some((r) => r.name.startsWith("everything."))).toBe(true);
    const read = await client.readResource({ uri: "mem://greeting" });
    expect(read.contents[0]).toMatchObject({ text: "hello from test-http" });
    const { resourceTemplates } = await client.listResourceTemplates();
    const dynamic = resourceTemplates.find((t) => t.name.startsWith("everything.") && t.uriTemplate.includes("{"));
    expect(dynamic).toBeDefined();
    const templated = await client.readResource({ uri: "demo://resource/dynamic/text/1" });
    expect(templated.contents[0]?.uri).toBe("demo://resource/dynamic/text/1");
    const missing = await rpcError(client.readResource({ uri: "nowhere://x" }));
    expect(missing.code).toBe(-32002);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(["web.greet", "everything.simple-prompt"]));
    const greet = await client.getPrompt({ name: "web.greet", arguments: { who: "Ada" } });
    expect(greet.messages[0]?.content).toMatchObject({ type: "text", text: "Say hello to Ada" });
  });

  it("tells the client when a server's tool list changes", async () => {
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    await client.callTool({ name: "web.add_tool", arguments: { name: "fresh" } });
    await vi.waitFor(() => expect(changed).toBeGreaterThan(0), { timeout: 5_000 });
    await vi.waitFor(async () => expect((await client.listTools()).tools.map((t) => t.name)).toContain("web.fresh"), { timeout: 5_000 });
  });

  it("answers JSON-RPC errors: unknown tool and bad arguments are invalid params naming the field, a timeout is -32001", async () => {
    const unknown = await rpcError(client.callTool({ name: "web.nope", arguments: {} }));
    expect(unknown.code).toBe(ErrorCode.InvalidParams);
    expect(unknown.message).toContain('no tool "web.nope"');
    const bad = await rpcError(client.callTool({ name: "web.add", arguments: { a: 1, b: "2" } }));
    expect(bad.code).toBe(ErrorCode.InvalidParams);
    expect(bad.message).toContain("arguments.b: must be number");
    const slow = await rpcError(client.callTool({ name: "web.slow", arguments: { ms: 10_000 } }));
    expect(slow.code).toBe(ErrorCode.RequestTimeout);
    expect(slow.message).toContain('tool "web.slow" did not answer within 1000 ms');
  });

  it("refuses requests whose Host or Origin is not loopback (DNS rebinding)", async () => {
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } });
        const req = http.request(`${h.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(body);
      });
    expect(await post({ host: "evil.example.com", origin: "http://evil.example.com" })).toBe(403);
    expect(await post({ host: `localhost:${h.port}`, origin: "http://evil.example.com" })).toBe(403);
    expect(await post({ host: `localhost:${h.port}`, origin: `http://localhost:${h.port}` })).toBe(200);
  });
});
