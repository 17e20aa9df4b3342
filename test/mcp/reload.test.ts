// A config reload (SIGHUP) keeps the MCP servers and hoosh's /mcp sessions
// when [[mcp_servers]] and [mcp] are unchanged, and replaces the servers when
// they changed (the old child stops once its app generation closes).
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { everythingToml, logLines, mcpClient, serverState, startMcpHoosh, waitForTools, type McpHoosh } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000 });

const BASE = `[server]\nbind = "127.0.0.1"\nshutdown_grace_ms = 1000\n`;
let h: McpHoosh;
let client: Client;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function reload(config: string): Promise<void> {
  const before = logLines(h, "reloaded").length;
  await writeFile(h.configPath, BASE + config);
  process.kill(h.pid, "SIGHUP");
  await vi.waitFor(() => expect(logLines(h, "reloaded").length).toBe(before + 1), { timeout: 15_000, interval: 50 });
}

beforeAll(async () => {
  h = await startMcpHoosh(everythingToml());
  await waitForTools(h, (r) => serverState(r, "everything") === "ready");
  client = await mcpClient(`${h.url}/mcp`);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await h?.close();
});

describe("config reload", () => {
  it("keeps the servers and the /mcp sessions when their settings are unchanged", async () => {
    const [pid] = logLines(h, "MCP server ready").map((l) => l.pid as number);
    await reload(`${everythingToml()}\n[[budgets]]\nname = "new"\ncapacity = 10\n`);
    const r = await waitForTools(h, (x) => serverState(x, "everything") === "ready");
    expect(r.servers[0]!.restarts).toBe(0);
    expect(logLines(h, "MCP server ready")).toHaveLength(1);
    expect(alive(pid!)).toBe(true);
    // The session opened before the reload goes on, now served by the new generation.
    const res = await client.callTool({ name: "everything.echo", arguments: { message: "after reload" } });
    expect((res.content as { text: string }[])[0]!.text).toBe("Echo: after reload");
  });

  it("starts the servers anew when their settings changed, and stops the old ones", async () => {
    const [old] = logLines(h, "MCP server ready").map((l) => l.pid as number);
    await client.close(); // the old generation closes once its requests (this client's stream) are done
    await reload(everythingToml("everything", "call_timeout_ms = 5000"));
    await vi.waitFor(() => expect(logLines(h, "MCP server ready")).toHaveLength(2), { timeout: 15_000, interval: 50 });
    const fresh = logLines(h, "MCP server ready")[1]!.pid as number;
    expect(fresh).not.toBe(old);
    await vi.waitFor(() => expect(alive(old!)).toBe(false), { timeout: 15_000, interval: 50 });
    expect(alive(fresh)).toBe(true);
  });
});
