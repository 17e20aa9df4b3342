// The Go client (clients/go) against a live hoosh: starts the fake OpenAI upstream
// and `hoosh serve`, then runs `go test ./...` in clients/go with HOOSH_ADDR set.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, REPO_ROOT, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { run } from "../harness/tools.js";

const GO_CLIENT_DIR = join(REPO_ROOT, "clients", "go");
// `go test` builds (or reuses the build cache) and may fetch modules on a fresh machine.
const GO_TEST_TIMEOUT_MS = 5 * 60_000;

// What client_test.go expects of the server's config.
const BUDGETS = `
[[budgets]]
name = "tiny"
capacity = 10

[[budgets]]
name = "default"
capacity = 1000000
`;

let fake: FakeOpenAI;
let hoosh: Hoosh;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl, BUDGETS));
}, 30_000);

afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

describe("Go client (clients/go)", () => {
  it(
    "go test ./... passes against a live hoosh",
    async () => {
      const res = await run("go", ["test", "-count=1", "-v", "-timeout", "4m", "./..."], {
        cwd: GO_CLIENT_DIR,
        env: { ...process.env, HOOSH_ADDR: `127.0.0.1:${hoosh.port}` },
        timeoutMs: GO_TEST_TIMEOUT_MS,
      });
      const output = `${res.stdout}${res.stderr}`;
      console.log(`go test (${Math.round(res.ms)} ms):\n${output}`);
      const failed = output.split("\n").filter((l) => /^\s*--- FAIL/.test(l));
      expect(
        res.code,
        `go test exited ${res.code}${res.signal ? ` (${res.signal})` : ""}; failed:\n${failed.join("\n")}\n` +
          `--- output ---\n${output}\n--- hoosh stderr ---\n${hoosh.stderr()}`,
      ).toBe(0);
    },
    GO_TEST_TIMEOUT_MS + 10_000,
  );
});
