// MCP 2026-07-28 on hoosh's /mcp (no handshake, no sessions): every request
// carries its protocol version and client capabilities in _meta, with a
// matching MCP-Protocol-Version header. Served beside the 2025-11-25 sessions.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { httpToml, serverState, startHttpMcp, startMcpHoosh, waitForTools, type McpHoosh } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000 });

const V = "2026-07-28";
const META = { "io.modelcontextprotocol/protocolVersion": V, "io.modelcontextprotocol/clientCapabilities": {} };

let server: Awaited<ReturnType<typeof startHttpMcp>>;
let h: McpHoosh;

beforeAll(async () => {
  server = await startHttpMcp();
  h = await startMcpHoosh(httpToml("web", server.mcpUrl));
  await waitForTools(h, (r) => serverState(r, "web") === "ready");
}, 60_000);

afterAll(async () => {
  await h?.close();
  await server?.stop();
});

async function rpc(method: string, params: Record<string, unknown> | undefined, headers: Record<string, string> = { "mcp-protocol-version": V }, id: number | string = 7) {
  const res = await fetch(`${h.url}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }),
  });
  // A session's answer comes as server-sent events; a stateless one as JSON.
  const text = await res.text();
  const json = res.headers.get("content-type")?.startsWith("text/event-stream") ? text.split("\n").find((l) => l.startsWith("data: "))!.slice(6) : text;
  const body = JSON.parse(json) as { id: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } };
  return { status: res.status, body, sessionId: res.headers.get("mcp-session-id") };
}

describe("protocol 2026-07-28 (stateless)", () => {
  it("refuses a body that is not valid UTF-8 (400, -32700), never reading it with replacement characters", async () => {
    const json = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: META } }));
    const bad = Buffer.concat([json.subarray(0, 10), Buffer.from([0xff, 0xfe]), json.subarray(10)]);
    const res = await fetch(`${h.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": V },
      body: bad,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32700);
    expect(body.error.message).toMatch(/not valid UTF-8/);
  });

  it("answers server/discover without a handshake or a session", async () => {
    const { status, body, sessionId } = await rpc("server/discover", { _meta: META });
    expect(status).toBe(200);
    expect(sessionId).toBeNull();
    expect(body.result).toMatchObject({ supportedVersions: [V], capabilities: { tools: {}, prompts: {}, resources: {} }, _meta: { "io.modelcontextprotocol/serverInfo": { name: "hoosh" } } });
  });

  it("lists and calls tools, reads resources, gets prompts", async () => {
    const tools = await rpc("tools/list", { _meta: META });
    expect((tools.body.result!.tools as { name: string }[]).map((t) => t.name)).toContain("web.add");
    const call = await rpc("tools/call", { name: "web.add", arguments: { a: 2, b: 3 }, _meta: META });
    expect(call.body.result).toMatchObject({ structuredContent: { sum: 5 } });
    const read = await rpc("resources/read", { uri: "mem://greeting", _meta: META });
    expect(read.body.result).toMatchObject({ contents: [{ text: "hello from test-http" }] });
    const prompt = await rpc("prompts/get", { name: "web.greet", arguments: { who: "Bo" }, _meta: META });
    expect(prompt.body.result).toMatchObject({ messages: [{ content: { text: "Say hello to Bo" } }] });
  });

  it("refuses requests without the required _meta (400, -32602), echoing the id", async () => {
    const none = await rpc("tools/list", {}, undefined, "abc");
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ id: "abc", error: { code: -32602 } });
    const noCaps = await rpc("tools/list", { _meta: { "io.modelcontextprotocol/protocolVersion": V } });
    expect(noCaps.status).toBe(400);
    expect(noCaps.body.error!.message).toContain("clientCapabilities");
  });

  it("refuses other versions (-32022 with the supported ones) and a header that disagrees (-32020)", async () => {
    const other = await rpc("tools/list", { _meta: { ...META, "io.modelcontextprotocol/protocolVersion": "v999" } }, { "mcp-protocol-version": "v999" });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: -32022, data: { supported: [V], requested: "v999" } });
    const mismatch = await rpc("tools/list", { _meta: META }, {});
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error!.code).toBe(-32020);
  });

  it("answers removed and unknown methods with 404 and -32601", async () => {
    for (const method of ["initialize", "ping", "logging/setLevel", "nope/nothing"]) {
      const r = await rpc(method, { _meta: META });
      expect(r.status, method).toBe(404);
      expect(r.body.error!.code, method).toBe(-32601);
    }
  });

  it("keeps serving 2025-11-25 sessions beside it", async () => {
    const init = await rpc("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } }, {});
    expect(init.status).toBe(200);
    expect(init.sessionId).toBeTruthy();
    expect(init.body.result).toMatchObject({ protocolVersion: "2025-11-25", serverInfo: { name: "hoosh" } });
  });
});
