// Startup checks of type "local" providers, through the CLI: a model file that is missing,
// unreadable or not a GGUF stops `hoosh serve` / `hoosh config check` with exit 2 and the key
// path, even when the model would only load on first use.
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runHoosh, spawnServe } from "../harness/cli.js";
import { generatedModel, removeGenerated } from "./helpers.js";

// Every test spawns the CLI (1-4 s per process on a busy 2-core machine).
vi.setConfig({ testTimeout: 60_000 });

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoosh-local-startup-"));
});

afterAll(async () => {
  removeGenerated();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function config(local: string, type = "local"): Promise<string> {
  const path = join(dir, `hoosh-${++n}.toml`);
  await writeFile(path, `[[providers]]\nname = "embedded"\ntype = "${type}"\nmodels = ["m"]\n${local}\n`);
  return path;
}

describe("model file checks at startup", () => {
  it("a missing model file: config check exits 2 naming providers[0].local.model_path", async () => {
    const file = await config(`local = { model_path = "/nonexistent/dir/m.gguf" }`);
    const res = await runHoosh(["config", "check", file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${file}: providers[0].local.model_path: "/nonexistent/dir/m.gguf" does not exist`);
  });

  it("a missing model file: serve exits 2 before listening, even with load = first-use", async () => {
    const file = await config(`local = { model_path = "missing.gguf", load = "first-use" }`);
    const err = await spawnServe(["--config", file, "--port", "0"]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain("exited before ready (code 2");
    expect(err?.message).toContain(`providers[0].local.model_path: ${JSON.stringify(join(dir, "missing.gguf"))} does not exist`);
  });

  it("a file that is not a GGUF → exit 2", async () => {
    const notModel = join(dir, "notes.gguf");
    await writeFile(notModel, "hello, not a model");
    const res = await runHoosh(["config", "check", await config(`local = { model_path = ${JSON.stringify(notModel)} }`)]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`providers[0].local.model_path: ${JSON.stringify(notModel)} is not a GGUF file`);
  });

  it("a type local provider without a local table → exit 2 on the model_path key", async () => {
    const res = await runHoosh(["config", "check", await config("")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('providers[0].local.model_path: missing required key (type "local" needs local = { model_path = "..." })');
  });

  it("a local table on another type → exit 2 naming providers[0].local", async () => {
    const res = await runHoosh(["config", "check", await config(`base_url = "http://127.0.0.1:1"\nlocal = { model_path = "x.gguf" }`, "openai")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('providers[0].local: is only allowed with type "local" (this provider has type "openai")');
  });

  it("bad local keys are reported with their path", async () => {
    const res = await runHoosh(["config", "check", await config(`local = { model_path = "x.gguf", sequences = 0, load = "lazy" }`)]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("providers[0].local.sequences:");
    expect(res.stderr).toContain("providers[0].local.load:");
  });

  it("a relative model_path is relative to the config file's folder; the file then passes", async () => {
    await copyFile(generatedModel(), join(dir, "model.gguf"));
    const res = await runHoosh(["config", "check", await config(`local = { model_path = "model.gguf" }`)]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
  });
});
