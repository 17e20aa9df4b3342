// Runs every curl example of docs/rest-anthropic.md (marked with
// <!-- curl-test: expect N -->) against a test server and checks its status.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/hoosh.js";
import { startAnthropicEnv, type AnthropicEnv } from "./anthropic-harness.js";

const run = promisify(execFile);
const DOC = readFileSync(join(REPO_ROOT, "docs", "rest-anthropic.md"), "utf8");
const EXAMPLES = [...DOC.matchAll(/<!-- curl-test: expect (\d{3}) -->\n```sh\n([\s\S]*?)```/g)].map((m) => ({ status: Number(m[1]), command: m[2]!.trim() }));

let env: AnthropicEnv;
beforeAll(async () => {
  env = await startAnthropicEnv();
});
afterAll(async () => {
  await env?.close();
});

describe("docs/rest-anthropic.md curl examples", () => {
  it("has one per endpoint, and an error example", () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(4);
    expect(EXAMPLES.some((e) => e.command.includes("/v1/messages/count_tokens"))).toBe(true);
    expect(EXAMPLES.some((e) => e.command.includes('"stream":true'))).toBe(true);
  });

  it.each(EXAMPLES.map((e, i) => ({ ...e, i })))("example $i answers $status", async ({ command, status }) => {
    const local = command.replaceAll("127.0.0.1:8088", `127.0.0.1:${env.listener.port}`);
    const { stdout } = await run("bash", ["-c", `${local} -o /dev/null -w '%{http_code}'`], { timeout: 10_000 });
    expect(stdout.trim()).toBe(String(status));
  });
});
