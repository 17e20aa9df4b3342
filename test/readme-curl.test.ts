// Runs every curl block of README's "REST curl examples" against a live hoosh
// (in front of the fake OpenAI upstream, port substituted): the README cannot drift.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrapPcm16 } from "../server/audio/wav.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { fakeProviderConfig, REPO_ROOT, startHoosh, type Hoosh } from "./harness/hoosh.js";

const run = promisify(execFile);

async function examples(): Promise<string[]> {
  const text = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const start = text.indexOf("### REST curl examples");
  const section = text.slice(start, text.indexOf("\n## ", start));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block!.trim());
}

let fake: FakeOpenAI;
let hoosh: Hoosh;
let dir: string;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl, '[[budgets]]\nname = "default"\ncapacity = 1000\n'));
  dir = await mkdtemp(join(tmpdir(), "hoosh-readme-"));
  await writeFile(join(dir, "speech.wav"), wrapPcm16(Buffer.alloc(32_000), 16_000, 1));
});
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("README REST curl examples", async () => {
  const list = await examples();

  it("cover every REST endpoint family", () => {
    for (const path of ["/v1/chat/completions", "/v1/embeddings", "/v1/models", "/v1/audio/transcriptions", "/v1/messages", "/v1/messages/count_tokens", "/hoosh/v1/"]) {
      expect(list.some((c) => c.includes(`:8088${path}`)), path).toBe(true);
    }
  });

  it.each(list.map((c) => [c.split("\n")[0]!, c]))("%s", async (_title, command) => {
    const cmd = command.replaceAll("127.0.0.1:8088", `127.0.0.1:${hoosh.port}`);
    const { stdout } = await run("bash", ["-c", `${cmd} -sS -o body.out -w '%{http_code}'`], { cwd: dir, timeout: 15_000 });
    const body = await readFile(join(dir, "body.out"), "utf8");
    expect(Number(stdout), body).toBe(200);
    expect(body.length).toBeGreaterThan(0);
  });
});
