// The generated Python client (clients/python) against a live hoosh: builds the
// pinned venv (scripts/python-venv.sh; fast when up to date), starts the fake
// OpenAI upstream and hoosh with two budget pools, then runs the package's own
// pytest suite with HOOSH_ADDR pointing at that hoosh.
// The generated code is committed; its drift check lives with the other generators.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, REPO_ROOT, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { run } from "../harness/tools.js";

const PYTHON_PKG = join(REPO_ROOT, "clients", "python");
const PYTEST = join(PYTHON_PKG, ".venv", "bin", "pytest");

const BUDGETS = `
[[budgets]]
name = "tiny"
capacity = 10

[[budgets]]
name = "default"
capacity = 1000000
`;

describe("Python client (clients/python) against a live hoosh", () => {
  let fake: FakeOpenAI | undefined;
  let hoosh: Hoosh | undefined;

  beforeAll(async () => {
    // A first build downloads the pinned wheels from PyPI (~20 s; minutes on a slow link).
    const venv = await run(join(REPO_ROOT, "scripts", "python-venv.sh"), [], { timeoutMs: 290_000 });
    if (venv.code !== 0) {
      throw new Error(`scripts/python-venv.sh failed (exit ${venv.code ?? venv.signal}):\n${venv.stdout}${venv.stderr}`);
    }
    fake = await startFakeOpenAI();
    hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl, BUDGETS));
  }, 300_000);

  afterAll(async () => {
    await hoosh?.stop();
    await fake?.stop();
  });

  it("passes its pytest suite (tests/test_client.py and friends)", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOOSH_ADDR: `127.0.0.1:${hoosh!.port}`, PYTHONDONTWRITEBYTECODE: "1" };
    delete env.PYTHONPATH;
    const res = await run(PYTEST, ["-q", "--tb=short", "-p", "no:cacheprovider", "clients/python/tests"], { env, timeoutMs: 150_000 });
    const output = `${res.stdout}${res.stderr}`;
    console.log(`pytest (exit ${res.code ?? res.signal}, ${Math.round(res.ms)} ms):\n${output}`);
    // pytest exits 5 when it collected no tests: that is a failure here too.
    if (res.code === 5) throw new Error(`pytest collected no tests:\n${output}`);
    if (res.code !== 0) {
      const summary = output.lastIndexOf("short test summary info");
      const tail = summary >= 0 ? output.slice(summary) : output.trimEnd().split("\n").slice(-25).join("\n");
      throw new Error(`pytest failed (exit ${res.code ?? res.signal}); full output above. hoosh stderr:\n${hoosh!.stderr().trim() || "(empty)"}\n--- pytest tail ---\n${tail}`);
    }
    expect(output).toMatch(/\d+ passed/);
  }, 160_000);

  it("cancelling GenerateStream from Python closed the upstream request", async () => {
    const closed = await fake!.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 5_000);
    expect(closed).toMatchObject({ type: "client-closed", path: "/v1/chat/completions" });
  });
});
