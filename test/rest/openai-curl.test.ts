// Runs every curl example of docs/rest-openai.md against a live hoosh (port
// substituted) and checks its HTTP status, so the docs cannot drift.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/hoosh.js";
import { startOpenAIEnv, toneWav, type OpenAIEnv } from "./openai-harness.js";

const run = promisify(execFile);
const DOC = join(REPO_ROOT, "docs", "rest-openai.md");

interface Example {
  command: string;
  status: number;
}

/** The ```sh blocks of the "curl examples" section; `# HTTP <status>` sets the expected status. */
async function examples(): Promise<Example[]> {
  const text = await readFile(DOC, "utf8");
  const section = text.slice(text.indexOf("## curl examples"));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => ({
    command: block!.trim(),
    status: Number(/^# HTTP (\d{3})$/m.exec(block!)?.[1] ?? 200),
  }));
}

let env: OpenAIEnv;
let dir: string;
beforeAll(async () => {
  env = await startOpenAIEnv();
  dir = await mkdtemp(join(tmpdir(), "hoosh-curl-"));
  await writeFile(join(dir, "speech.wav"), toneWav(1));
});
afterAll(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("docs/rest-openai.md curl examples", async () => {
  const list = await examples();

  it("has one example per endpoint", () => {
    for (const path of ["/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/models", "/v1/models/", "/v1/audio/transcriptions", "/v1/audio/speech"]) {
      expect(list.some((e) => e.command.includes(`:8088${path}`)), path).toBe(true);
    }
  });

  const titled = list.map((e, i) => [`#${i + 1} ${e.command.split("\n").find((l) => l.startsWith("curl"))!} → ${e.status}`, e] as const);
  it.each(titled)("%s", async (_title, example) => {
    const command = example.command.replaceAll("127.0.0.1:8088", `127.0.0.1:${env.port}`);
    const { stdout } = await run("bash", ["-c", `${command} -sS -o body.out -w '%{http_code}'`], { cwd: dir, timeout: 15_000 });
    const body = await readFile(join(dir, "body.out"), "utf8");
    expect(Number(stdout), body).toBe(example.status);
    expect(body.length).toBeGreaterThan(0);
  });
});

describe("the same edge over HTTP/2 cleartext", () => {
  it("streams chat completions to curl --http2-prior-knowledge", async () => {
    const body = JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "over h2" }] });
    const { stdout } = await run("curl", ["-sS", "-i", "--http2-prior-knowledge", `${env.url}/v1/chat/completions`, "-H", "content-type: application/json", "-d", body], { timeout: 15_000 });
    expect(stdout).toMatch(/^HTTP\/2 200/);
    expect(stdout).toMatch(/x-hoosh-provider: fake/);
    expect(stdout).toContain('"content":" h2"');
    expect(stdout.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });
});
