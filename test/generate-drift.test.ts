// Generated code must be exactly what `buf generate` (buf.gen.yaml) produces from proto/, and proto/
// must lint. buf.gen.yaml is used as is, with every `out:` folder moved into a temp dir (so this test
// never writes into the working tree); each output is compared with its committed folder (gen/ts,
// and whatever else buf.gen.yaml generates, e.g. clients/go/gen). The same for the conformance
// server's code (test/conformance/buf.gen.yaml).
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./harness/hoosh.js";
import { npmBinPath, pathWithNodeBin, run, type RunResult } from "./harness/tools.js";

const OUT_LINE = /^(\s*out:\s*)(\S+)\s*$/gm;

let tmp: string;
let outs: string[];
let generated: RunResult;
/** The conformance server's own generation (test/conformance/buf.gen.yaml, the vendored protos). */
let conformance: { outs: string[]; result: RunResult };

async function listFiles(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(root, join(dir, e.name)) : Promise.resolve([relative(root, join(dir, e.name))]))),
  );
  return nested.flat().sort();
}

/** Differences between a fresh output folder and the committed one, one line each. */
async function compare(freshDir: string, committedDir: string, label: string): Promise<string[]> {
  if (!existsSync(committedDir)) return [`${label} does not exist`];
  const [fresh, committed] = await Promise.all([listFiles(freshDir), listFiles(committedDir)]);
  const missing = fresh.filter((f) => !committed.includes(f));
  const extra = committed.filter((f) => !fresh.includes(f));
  const differing: string[] = [];
  for (const file of fresh.filter((f) => committed.includes(f))) {
    const [a, b] = await Promise.all([readFile(join(freshDir, file)), readFile(join(committedDir, file))]);
    if (!a.equals(b)) differing.push(file);
  }
  return [
    ...missing.map((f) => `missing: ${label}/${f}`),
    ...extra.map((f) => `not generated (stale?): ${label}/${f}`),
    ...differing.map((f) => `differs: ${label}/${f}`),
  ];
}

/** Runs `buf generate` with a template whose `out:` folders are moved under tmp/<dir>; returns the folders. */
async function generate(templateFile: string, dir: string, input: string[]): Promise<{ outs: string[]; result: RunResult }> {
  const template = await readFile(join(REPO_ROOT, templateFile), "utf8");
  const outs = [...new Set([...template.matchAll(OUT_LINE)].map((m) => m[2]!))];
  const templatePath = join(tmp, `${dir}.buf.gen.yaml`);
  await writeFile(templatePath, template.replace(OUT_LINE, (_line, key: string, out: string) => `${key}${JSON.stringify(join(tmp, dir, out))}`));
  const result = await run(npmBinPath("buf"), ["generate", ...input, "--template", templatePath], {
    cwd: REPO_ROOT,
    env: { ...process.env, PATH: pathWithNodeBin() }, // as `npm run generate` sees it: protoc-gen-es in node_modules/.bin
    timeoutMs: 120_000,
  });
  return { outs, result };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "hoosh-gen-"));
  ({ outs, result: generated } = await generate("buf.gen.yaml", "out", []));
  conformance = await generate("test/conformance/buf.gen.yaml", "conformance", ["test/conformance"]);
}, 150_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("generated code", () => {
  it("buf generate runs", () => {
    const hint = /\.tools\/bin/.test(generated.stderr) ? "\n(a plugin in .tools/bin is missing: run scripts/install-tools.sh)" : "";
    expect(generated.code, `buf generate failed:\n${generated.stderr}${hint}`).toBe(0);
    expect(outs).toContain("gen/ts");
  });

  it("gen/ts matches a fresh `buf generate` byte for byte", async () => {
    expect(generated.code).toBe(0);
    const report = await compare(join(tmp, "out", "gen/ts"), join(REPO_ROOT, "gen/ts"), "gen/ts");
    expect(report, `gen/ts is out of date; run \`npm run generate\`:\n  ${report.join("\n  ")}`).toEqual([]);
  });

  it("every other output of buf.gen.yaml matches too", async () => {
    expect(generated.code).toBe(0);
    const report: string[] = [];
    for (const out of outs.filter((o) => o !== "gen/ts")) report.push(...(await compare(join(tmp, "out", out), join(REPO_ROOT, out), out)));
    expect(report, `generated code is out of date; run \`npm run generate\`:\n  ${report.join("\n  ")}`).toEqual([]);
  });

  it("test/conformance/gen matches a fresh `buf generate` of the vendored conformance protos", async () => {
    expect(conformance.result.code, `buf generate (test/conformance) failed:\n${conformance.result.stderr}`).toBe(0);
    expect(conformance.outs).toEqual(["test/conformance/gen"]);
    const report = await compare(join(tmp, "conformance", "test/conformance/gen"), join(REPO_ROOT, "test/conformance/gen"), "test/conformance/gen");
    expect(report, `test/conformance/gen is out of date; run \`npm run generate\`:\n  ${report.join("\n  ")}`).toEqual([]);
  });

  it("clients/python/src/hoosh matches a fresh scripts/generate-python.sh", async () => {
    const out = join(tmp, "python");
    const py = await run(join(REPO_ROOT, "scripts", "generate-python.sh"), [out], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    expect(py.code, `generate-python.sh failed:\n${py.stderr}`).toBe(0);
    const report = await compare(join(out, "hoosh"), join(REPO_ROOT, "clients/python/src/hoosh"), "clients/python/src/hoosh");
    expect(report, `Python code is out of date; run \`npm run generate\`:\n  ${report.join("\n  ")}`).toEqual([]);
  }, 300_000);

  it("buf lint passes", async () => {
    const lint = await run(npmBinPath("buf"), ["lint"], { cwd: REPO_ROOT, timeoutMs: 60_000 });
    expect(lint.code, `buf lint:\n${lint.stdout}${lint.stderr}`).toBe(0);
  }, 60_000);
});
