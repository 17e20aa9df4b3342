// bin/hoosh.cjs (the package's bin, what `npm start` runs) sizes libuv's thread pool before the ES
// module CLI loads: every decoding llama.cpp context holds a pool thread, and "auto" local
// contexts stay two below the pool size (server/engines/llm/threads.ts). Started through the
// launcher the pool has 8 threads unless UV_THREADPOOL_SIZE says otherwise; `node dist/hoosh.js`
// keeps libuv's 4. `hoosh config check` prints the layout "auto" resolves to in that process.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildHoosh } from "../../scripts/build.js";
import { layout } from "../../server/engines/llm/threads.js";
import { cleanEnv } from "../harness/cli.js";
import { REPO_ROOT } from "../harness/hoosh.js";
import { run } from "../harness/tools.js";

const MODEL = join(REPO_ROOT, "..", "shared", "models", "stories260K.gguf");
let root: string;
let config: string;

beforeAll(async () => {
  // <root>/bin/hoosh.cjs imports <root>/dist/hoosh.js, as in the repository; inside the repo so
  // the bundle's bare imports find node_modules.
  await mkdir(join(REPO_ROOT, ".test-bundle"), { recursive: true });
  root = await mkdtemp(join(REPO_ROOT, ".test-bundle", "launcher-"));
  await buildHoosh(join(root, "dist"));
  await mkdir(join(root, "bin"));
  await copyFile(join(REPO_ROOT, "bin", "hoosh.cjs"), join(root, "bin", "hoosh.cjs"));
  config = join(root, "hoosh.toml");
  await writeFile(config, `[[providers]]\nname = "tiny"\ntype = "local"\nmodels = ["tiny"]\nlocal = { model_path = ${JSON.stringify(MODEL)}, sequences = 4 }\n`);
}, 120_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** The layout line `hoosh config check` prints for the provider, as "auto" resolves with `pool` threads. */
function expectedLine(pool: number): string {
  const [threads, contexts] = layout("auto", "auto", 4, availableParallelism(), pool);
  return `  tiny: 4 sequences in ${contexts} context${contexts === 1 ? "" : "s"} of ${threads} thread${threads === 1 ? "" : "s"} (libuv pool ${pool})`;
}

describe("bin/hoosh.cjs", () => {
  it.each([
    ["the launcher, no UV_THREADPOOL_SIZE", "bin/hoosh.cjs", {}, 8],
    ["the launcher keeps a UV_THREADPOOL_SIZE that is set", "bin/hoosh.cjs", { UV_THREADPOOL_SIZE: "5" }, 5],
    ["the bundle started directly", "dist/hoosh.js", {}, 4],
  ] as const)("%s", async (_what, entry, env, pool) => {
    const res = await run(process.execPath, [join(root, entry), "config", "check", config], { env: cleanEnv(env) });
    expect(res.code, res.stderr).toBe(0);
    // Other lines (the placement log of hardware detection) may come in between.
    const lines = res.stdout.split("\n");
    expect(lines).toContain(`${config}: ok (1 of 1 providers enabled, 0 budgets, listens on 127.0.0.1:8088)`);
    expect(lines).toContain(expectedLine(pool));
  }, 60_000);

  it("on this 2-core CI shape the launcher's pool gives every sequence its own context, libuv's default two", () => {
    expect(layout("auto", "auto", 4, 2, 8)).toEqual([1, 4]);
    expect(layout("auto", "auto", 4, 2, 4)).toEqual([1, 2]);
  });
});
