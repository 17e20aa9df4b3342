// A Streamable HTTP MCP server (test/mcp/fixtures/http-server.ts, written with
// the SDK) behind `hoosh serve`, over gRPC-style calls (Connect) and REST:
// results, isError, progress and log relays, timeout and cancellation (seen by
// the server as notifications/cancelled), list_changed, bad input, a server
// that goes down and comes back.
import { toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startProcess } from "../fakes/spawn.js";
import { failure, firstText, HTTP_SERVER, httpToml, logLines, serverState, startHttpMcp, startMcpHoosh, waitForTools, type McpHoosh } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000 });

let server: Awaited<ReturnType<typeof startHttpMcp>>;
let h: McpHoosh;

beforeAll(async () => {
  server = await startHttpMcp();
  h = await startMcpHoosh(`
[observability]
log_prompts = true
${httpToml("web", server.mcpUrl, "call_timeout_ms = 5000\nmax_argument_bytes = 2048\nrestart = { initial_backoff_ms = 50, max_backoff_ms = 200 }")}
`);
  await waitForTools(h, (r) => serverState(r, "web") === "ready");
}, 60_000);

afterAll(async () => {
  await h?.close();
  await server?.stop();
});

async function stats(): Promise<{ calls: number; cancelled: number }> {
  const res = await h.tools.callTool({ name: "web.stats", arguments: {} });
  return JSON.parse(firstText(res.content)) as { calls: number; cancelled: number };
}

describe("Streamable HTTP MCP server", () => {
  it("lists its tools with input and output schemas", async () => {
    const { tools } = await h.tools.listTools({ server: "web" });
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["web.add", "web.echo", "web.fail", "web.slow"]));
    const add = tools.find((t) => t.name === "web.add")!;
    expect(add.outputSchema).toMatchObject({ type: "object", properties: { sum: { type: "number" } } });
    expect(tools.map((t) => t.name)).toEqual([...tools.map((t) => t.name)].sort());
  });

  it("returns structured content", async () => {
    const res = await h.tools.callTool({ name: "web.add", arguments: { a: 20, b: 22 } });
    expect(res).toMatchObject({ isError: false, structuredContent: { sum: 42 }, server: "web" });
    expect(firstText(res.content)).toBe("42");
  });

  it("answers a tool's isError as a successful call carrying the error content", async () => {
    const res = await h.tools.callTool({ name: "web.fail", arguments: {} });
    expect(res.isError).toBe(true);
    expect(firstText(res.content)).toBe("it failed on purpose");
  });

  it("streams progress and log messages, then the result", async () => {
    const events = [];
    for await (const e of h.tools.callToolStream({ name: "web.progress", arguments: { steps: 4 } })) events.push(e.event);
    expect(events.filter((e) => e.case === "progress").map((e) => e.value.progress)).toEqual([1, 2, 3, 4]);
    expect(events.at(-1)?.case).toBe("result");
    const logs = [];
    for await (const e of h.tools.callToolStream({ name: "web.log", arguments: {} })) if (e.event.case === "log") logs.push(e.event.value);
    expect(logs.map((l) => [l.level, l.data && toJson(ValueSchema, l.data)])).toEqual([
      ["info", "first"],
      ["debug", "second"],
    ]);
  });

  it("cancels a call past its timeout at the server and answers DEADLINE_EXCEEDED", async () => {
    const before = await stats();
    const err = await failure(h.tools.callTool({ name: "web.slow", arguments: { ms: 20_000 }, timeoutMs: 300 }));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(err.rawMessage).toMatch(/^tool "web.slow" did not answer within 300 ms; hoosh cancelled it at MCP server "web"/);
    // The server stopped the tool because it received notifications/cancelled.
    await vi.waitFor(async () => expect((await stats()).cancelled).toBe(before.cancelled + 1), { timeout: 5_000, interval: 50 });
  });

  it("cancels the call at the server when the caller cancels", async () => {
    const before = await stats();
    const abort = new AbortController();
    const pending = failure(h.tools.callTool({ name: "web.slow", arguments: { ms: 20_000 } }, { signal: abort.signal }));
    await vi.waitFor(async () => expect((await stats()).calls).toBeGreaterThan(before.calls), { timeout: 5_000, interval: 20 });
    abort.abort();
    expect((await pending).code).toBe(Code.Canceled);
    await vi.waitFor(async () => expect((await stats()).cancelled).toBe(before.cancelled + 1), { timeout: 5_000, interval: 50 });
  });

  it("lists tools again when the server announces tools/list_changed", async () => {
    await h.tools.callTool({ name: "web.add_tool", arguments: { name: "late" } });
    await waitForTools(h, (r) => r.tools.some((t) => t.name === "web.late"));
    expect(firstText((await h.tools.callTool({ name: "web.late", arguments: {} })).content)).toBe("I am late");
  });

  it("refuses bad input with an error naming the field", async () => {
    const unknown = await failure(h.tools.callTool({ name: "web.nope", arguments: {} }));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toBe('name: no tool "web.nope"; ListTools shows the tools this key may call');
    const empty = await failure(h.tools.callTool({ name: "", arguments: {} }));
    expect(empty.code).toBe(Code.InvalidArgument);
    expect(empty.rawMessage).toMatch(/^name: is required/);
    const wrong = await failure(h.tools.callTool({ name: "web.add", arguments: { a: "one" } }));
    expect(wrong.code).toBe(Code.InvalidArgument);
    expect(wrong.rawMessage).toContain("arguments.a: must be number");
    expect(wrong.rawMessage).toContain("arguments.b: is required");
    const big = await failure(h.tools.callTool({ name: "web.echo", arguments: { text: "x".repeat(5000) } }));
    expect(big.code).toBe(Code.InvalidArgument);
    expect(big.rawMessage).toMatch(/^arguments: 5011 bytes of JSON is more than the 2048 bytes tool "web.echo" accepts \(mcp_servers "web" max_argument_bytes\)$/);
  });

  it("answers a tool's request to a caller that cannot take it (sampling over unary CallTool) as the tool's error", async () => {
    const res = await h.tools.callTool({ name: "web.ask", arguments: { prompt: "hi" } });
    expect(res.isError).toBe(true);
    expect(firstText(res.content)).toContain("hoosh cannot relay sampling/createMessage");
  });

  it("serves the seed's REST routes: POST /v1/tools/list and /v1/tools/call", async () => {
    const list = await fetch(`${h.url}/v1/tools/list`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { tools: { name: string }[] };
    expect(body.tools.some((t) => t.name === "web.echo")).toBe(true);
    const call = await fetch(`${h.url}/v1/tools/call`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "web.add", arguments: { a: 1, b: 2 } }) });
    expect(call.status).toBe(200);
    expect(await call.json()).toMatchObject({ content: [{ type: "text", text: "3" }], structuredContent: { sum: 3 }, server: "web" });
    const bad = await fetch(`${h.url}/v1/tools/call`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "web.add", arguments: { a: 1 } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("arguments.b: is required");
  });

  it("records every call in the access log: tool, server, duration, outcome, redacted arguments", async () => {
    await h.tools.callTool({ name: "web.echo", arguments: { text: "logged", token: "s3cret" } });
    // Log lines are written off the request path: wait for the line.
    const line = await vi.waitFor(() => {
      const found = logLines(h, "tool call").find((l) => (l.arguments as { text?: string } | undefined)?.text === "logged");
      expect(found).toBeDefined();
      return found!;
    }, { timeout: 10_000, interval: 20 });
    expect(line).toMatchObject({ kind: "tool_call", edge: "rpc", server: "web", tool: "web.echo", server_tool: "echo", outcome: "ok", arguments: { text: "logged", token: "<redacted>" } });
    expect(typeof line?.duration_ms).toBe("number");
    expect(h.stdout()).not.toContain("s3cret");
    const timeout = logLines(h, "tool call").find((l) => l.outcome === "timeout");
    expect(timeout).toMatchObject({ tool: "web.slow", code: "deadline_exceeded" });
  });

  it("answers UNAVAILABLE naming the server while it is down, and reconnects when it is back", async () => {
    const port = server.port;
    await server.stop();
    const err = await failure(h.tools.callTool({ name: "web.echo", arguments: { text: "x" } }));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/^MCP server "web" is unavailable/);
    const back = await startProcess(HTTP_SERVER, ["--exit-with-parent", "--port", String(port)]);
    server = { ...back, mcpUrl: `${back.url}/mcp` };
    await waitForTools(h, (r) => serverState(r, "web") === "ready" && r.tools.some((t) => t.name === "web.echo"));
    expect(firstText((await h.tools.callTool({ name: "web.echo", arguments: { text: "again" } })).content)).toBe("again");
    await vi.waitFor(() => expect(logLines(h, "MCP server went away; restarting it").length, h.stdout().slice(-4000)).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
  });
});
