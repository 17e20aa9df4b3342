// Runs every curl example of docs/rest-native.md against a real in-process
// server (port 8088 replaced by the test's), checks the status each example
// claims, and checks that the examples cover every REST binding.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { HardwareService } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { buildApp, type App } from "../../server/app.js";
import { parseConfig } from "../../server/config/index.js";
import { listen, type Listener } from "../../server/listen.js";
import { chain } from "../../server/rest/handler.js";
import { compileBindings, createTranscoder } from "../../server/rest/transcode/index.js";
import { RouteTable } from "../../server/rest/transcode/table.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";

const MAX_BODY = 64 * 1024;
const SERVICES = [InferenceService, ModelsService, TranscribeService, BudgetService, HardwareService];
const config = (baseUrl: string) => `
[server]
bind = "127.0.0.1"
max_body_bytes = ${MAX_BODY}

[router]
max_attempts = 1  # no retry rounds: a 429 answers at once

[[providers]]
name = "fake"
type = "openai"
base_url = "${baseUrl}"
models = ["*", "*/*"]
timeouts = { connect_ms = 1000, first_byte_ms = 2000, idle_ms = 2000 }

[[budgets]]
name = "team"
capacity = 1000
`;

let fake: FakeOpenAI;
let app: App;
let listener: Listener;
let base: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  app = await buildApp(parseConfig(config(fake.baseUrl), { source: "test", env: {} }), { source: "test" });
  const transcoder = createTranscoder({ routes: app.routes, services: SERVICES, maxBodyBytes: MAX_BODY });
  const handler = connectNodeAdapter({ routes: app.routes, fallback: chain([transcoder], notFoundFallback), readMaxBytes: MAX_BODY });
  listener = await listen(handler, "127.0.0.1", 0);
  base = `http://127.0.0.1:${listener.port}`;
});

afterAll(async () => {
  await listener?.close(0);
  await app?.close();
  await fake?.stop();
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
      const script = `${command.replaceAll("127.0.0.1:8088", `127.0.0.1:${listener.port}`)} -o /dev/null -w '%{http_code}'`;
      const { stdout } = await run("sh", ["-c", script], { env });
      expect(`${stdout} ← ${command}`).toBe(`${expected} ← ${command}`);
    }
  });
});
