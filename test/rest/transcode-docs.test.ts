// Runs every curl example of docs/rest-native.md against a real in-process
// server (port 8088 replaced by the test's), checks the status each example
// claims, and checks that the examples cover every REST binding.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileBindings } from "../../server/rest/transcode/index.js";
import { RouteTable } from "../../server/rest/transcode/table.js";
import { SERVICES, startTranscodeServer, type TranscodeServer } from "./transcode-harness.js";

let server: TranscodeServer;
let base: string;

beforeAll(async () => {
  server = await startTranscodeServer(["*", "*/*"]);
  ({ base } = server);
});

afterAll(async () => {
  await server?.stop();
});


const DOC = new URL("../../docs/rest-native.md", import.meta.url);
const run = promisify(execFile);

interface Example {
  expected: number;
  command: string;
}

/** The curl commands of the doc's sh blocks, each with the status of the "# → NNN" comment above it. */
function examples(markdown: string): Example[] {
  const found: Example[] = [];
  let inBlock = false;
  let expected: number | undefined;
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("```")) inBlock = line === "```sh";
    if (!inBlock) continue;
    const status = /^# → (\d{3})/.exec(line);
    if (status) expected = Number(status[1]);
    if (!line.startsWith("curl ")) continue;
    let command = line;
    while (command.endsWith("\\") && i + 1 < lines.length) command += `\n${lines[++i]}`;
    if (expected === undefined) throw new Error(`no "# → status" comment above: ${command}`);
    found.push({ expected, command });
    expected = undefined;
  }
  return found;
}

/** The method and path a curl command sends (for the coverage check). */
function target(command: string): { method: string; path: string } {
  const url = /http:\/\/127\.0\.0\.1:8088([^'"\s?]*)/.exec(command)?.[1] ?? "";
  const method = /-X (\w+)/.exec(command)?.[1] ?? (/ -d /.test(command) ? "POST" : "GET");
  return { method, path: url.replace("$RESERVATION_ID", "r") };
}

async function reservationId(): Promise<string> {
  const res = await fetch(`${base}/hoosh/v1/budget/reservations`, { method: "POST", body: JSON.stringify({ pool: "team", tokens: "10" }) });
  return ((await res.json()) as { reservationId: string }).reservationId;
}

describe("docs/rest-native.md", () => {
  it("has a curl example for every REST binding", async () => {
    const table = new RouteTable(compileBindings(SERVICES));
    const covered = new Set<string>();
    for (const { command, expected } of examples(await readFile(DOC, "utf8"))) {
      const { method, path } = target(command);
      const lookup = table.find(method, path);
      if (lookup.kind === "found" && expected === 200) covered.add(lookup.binding.label);
    }
    expect([...covered].sort()).toEqual(table.bindings.map((b) => b.label).sort());
  });

  it("every curl example answers the status it documents", async () => {
    const all = examples(await readFile(DOC, "utf8"));
    expect(all.length).toBeGreaterThanOrEqual(20);
    for (const { command, expected } of all) {
      const env = { ...process.env, RESERVATION_ID: command.includes("$RESERVATION_ID") ? await reservationId() : "" };
      const script = `${command.replaceAll("127.0.0.1:8088", `127.0.0.1:${server.port}`)} -o /dev/null -w '%{http_code}'`;
      const { stdout } = await run("sh", ["-c", script], { env });
      expect(`${stdout} ← ${command}`).toBe(`${expected} ← ${command}`);
    }
  });
});
