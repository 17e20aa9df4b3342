// Runs README's "MCP tools" section: its config (the stdio server run by this
// Node from node_modules instead of npx, the HTTP server replaced by the test
// server), every grpcurl and curl line, and the MCP client example.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/hoosh.js";
import { run, TOOLS_BIN } from "../harness/tools.js";
import { EVERYTHING, serverState, startHttpMcp, startMcpHoosh, waitForTools, type McpHoosh } from "./helpers.js";

async function section(): Promise<string> {
  const text = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const start = text.indexOf("## MCP tools");
  return text.slice(start, text.indexOf("\n## ", start + 1));
}
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map(([, b]) => b!);

let server: Awaited<ReturnType<typeof startHttpMcp>>;
let h: McpHoosh;
let text: string;

beforeAll(async () => {
  text = await section();
  server = await startHttpMcp();
  const [toml] = blocks(text, "toml");
  const config = toml!
    .replace(/command = "npx"\nargs = \[.*\]/, `command = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(EVERYTHING)}, "stdio"]`)
    .replace("http://127.0.0.1:3001/mcp", server.mcpUrl);
  expect(config).toContain(EVERYTHING);
  h = await startMcpHoosh(config);
  await waitForTools(h, (r) => serverState(r, "everything") === "ready" && serverState(r, "web") === "ready");
}, 60_000);

afterAll(async () => {
  await h?.close();
  await server?.stop();
});

describe("README MCP tools", () => {
  it("runs every grpcurl and curl line", async () => {
    const commands = blocks(text, "sh").flatMap((b) => b.replace(/\\\n\s*/g, "").split("\n").filter((l) => l.trim() !== ""));
    expect(commands.filter((c) => c.startsWith("grpcurl"))).toHaveLength(3);
    expect(commands.filter((c) => c.startsWith("curl"))).toHaveLength(2);
    for (const command of commands) {
      const r = await run("bash", ["-c", command.replaceAll("127.0.0.1:8088", `127.0.0.1:${h.port}`)], { env: { PATH: `${TOOLS_BIN}:${process.env.PATH ?? ""}` }, timeoutMs: 20_000 });
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      expect(r.stdout, command).not.toMatch(/"code":|isError": true/);
      if (command.includes("ListTools") || command.includes("tools/list")) expect(r.stdout).toContain("everything.echo");
      if (command.includes("get-sum")) expect(r.stdout).toContain("5");
      if (command.includes("CallToolStream")) expect(r.stdout).toContain("progress");
    }
  });

  it("runs the MCP client example", async () => {
    const [js] = blocks(text, "js");
    const r = await run(process.execPath, ["--input-type=module", "-e", js!.replaceAll("127.0.0.1:8088", `127.0.0.1:${h.port}`)], { cwd: REPO_ROOT, timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("everything.echo");
    expect(r.stdout).toContain("web.echo");
    expect(r.stdout).toContain("The sum of 2 and 3 is 5");
  });
});
