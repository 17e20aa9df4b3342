// npm's @modelcontextprotocol/server-everything as a stdio MCP server that
// `hoosh serve` starts and supervises: namespaced listing, calls, progress over
// CallToolStream, the child's minimal environment, list_changed, crash and
// restart (tools listed again), the crash-loop cap, and the child stopped by
// PID with hoosh.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { everythingToml, firstText, logLines, serverState, startMcpHoosh, waitForTools, type McpHoosh } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000 });

let h: McpHoosh;

beforeAll(async () => {
  h = await startMcpHoosh(everythingToml("everything", `env = { HOOSH_TEST_MARK = "given" }\nrestart = { initial_backoff_ms = 100 }`));
  await waitForTools(h, (r) => serverState(r, "everything") === "ready");
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function readyPids(): number[] {
  return logLines(h, "MCP server ready").map((l) => l.pid as number);
}

describe("stdio MCP server (server-everything)", () => {
  it("lists its tools as everything.<tool> with their input schemas", async () => {
    const { tools, servers } = await h.tools.listTools({});
    const echo = tools.find((t) => t.name === "everything.echo");
    expect(echo).toMatchObject({ server: "everything", serverTool: "echo" });
    expect(echo?.inputSchema).toMatchObject({ type: "object", properties: { message: { type: "string" } } });
    expect(tools.every((t) => /^[A-Za-z0-9._-]{1,128}$/.test(t.name))).toBe(true);
    expect(servers).toEqual([expect.objectContaining({ name: "everything", transport: "stdio", state: "ready" })]);
  });

  it("calls a tool", async () => {
    const echo = await h.tools.callTool({ name: "everything.echo", arguments: { message: "hello" } });
    expect(echo.isError).toBe(false);
    expect(firstText(echo.content)).toBe("Echo: hello");
    expect(echo.server).toBe("everything");
    const sum = await h.tools.callTool({ name: "everything.get-sum", arguments: { a: 2, b: 40 } });
    expect(firstText(sum.content)).toContain("42");
  });

  it("relays progress over CallToolStream, then the result", async () => {
    const events = [];
    for await (const e of h.tools.callToolStream({ name: "everything.trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } })) events.push(e.event);
    const progress = events.filter((e) => e.case === "progress").map((e) => e.value);
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const last = events.at(-1);
    expect(last?.case).toBe("result");
    expect(last?.case === "result" && firstText(last.value.content)).toContain("Long running operation completed");
  });

  it("starts the child with a minimal environment plus its configured env", async () => {
    const res = await h.tools.callTool({ name: "everything.get-env", arguments: {} });
    const env = JSON.parse(firstText(res.content)) as Record<string, string>;
    expect(env.HOOSH_TEST_MARK).toBe("given");
    expect(env.PATH).toBeTruthy();
    // hoosh's own environment has HOOSH_DATA_DIR (the test sets it); the child must not see it.
    expect(env.HOOSH_DATA_DIR).toBeUndefined();
  });

  it("lists the tools the server adds after initialize (tools/list_changed)", async () => {
    // server-everything registers its sampling and elicitation tools once it knows the client
    // (hoosh) supports them, and announces them with notifications/tools/list_changed.
    const r = await waitForTools(h, (x) => x.tools.some((t) => t.name === "everything.trigger-sampling-request"));
    expect(r.tools.some((t) => t.name === "everything.trigger-elicitation-request")).toBe(true);
    await vi.waitFor(() => expect(logLines(h, "MCP server list changed").some((l) => l.server === "everything" && l.kind === "tools")).toBe(true), { timeout: 10_000, interval: 20 });
  });

  it("notices a crash at once, answers UNAVAILABLE naming the server, restarts it and lists its tools again", async () => {
    const [pid] = await vi.waitFor(() => {
      expect(readyPids().length).toBeGreaterThan(0);
      return readyPids();
    }, { timeout: 10_000, interval: 20 });
    expect(pid).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(pid!, "SIGKILL");
    await vi.waitFor(() => expect(logLines(h, "MCP server went away; restarting it").length).toBe(1), { timeout: 5_000, interval: 10 });
    const noticed = Date.parse(logLines(h, "MCP server went away; restarting it")[0]!.time as string);
    expect(noticed - killedAt).toBeLessThan(1_000);
    // Until the restart, calls fail fast and name the server (the backoff is 100 ms: the call may also find it back).
    const during = await h.tools.callTool({ name: "everything.echo", arguments: { message: "x" } }).catch((e: unknown) => ConnectError.from(e));
    if (during instanceof ConnectError) {
      expect(during.code).toBe(Code.Unavailable);
      expect(during.rawMessage).toContain('MCP server "everything" is unavailable');
    }
    const after = await waitForTools(h, (r) => serverState(r, "everything") === "ready" && r.servers[0]!.restarts === 1 && r.tools.some((t) => t.name === "everything.echo"));
    expect(after.servers[0]!.restarts).toBe(1);
    await vi.waitFor(() => expect(readyPids()).toHaveLength(2), { timeout: 10_000, interval: 20 });
    const pids = readyPids();
    expect(pids[1]).not.toBe(pid);
    expect(alive(pids[1]!)).toBe(true);
    const echo = await h.tools.callTool({ name: "everything.echo", arguments: { message: "back" } });
    expect(firstText(echo.content)).toBe("Echo: back");
  });

  it("stops the child by PID when hoosh stops", async () => {
    const pid = readyPids().at(-1)!;
    expect(alive(pid)).toBe(true);
    await h.stop();
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 5_000, interval: 20 });
  });
});

describe("a stdio server that keeps crashing", () => {
  let loop: McpHoosh;
  afterAll(async () => {
    await loop?.close();
  });

  it("is restarted with backoff until the crash-loop cap, then stays down and says so", async () => {
    loop = await startMcpHoosh(`
[[mcp_servers]]
name = "broken"
transport = "stdio"
command = ${JSON.stringify(process.execPath)}
args = ["-e", "process.exit(3)"]
restart = { initial_backoff_ms = 20, max_crashes = 3, crash_window_ms = 60000 }
`);
    const r = await waitForTools(loop, (x) => serverState(x, "broken") === "failed");
    expect(r.servers[0]!.restarts).toBe(2);
    // Log lines are written off the request path: wait for them.
    await vi.waitFor(() => expect(logLines(loop, "MCP server keeps crashing; not restarting it")).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(logLines(loop, "MCP server went away; restarting it")).toHaveLength(2);
    const err = await loop.tools.callTool({ name: "broken.anything", arguments: {} }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unavailable);
    expect((err as ConnectError).rawMessage).toMatch(/^MCP server "broken" is unavailable: stopped restarting after 3 crashes in 60000 ms/);
  });
});
