/**
 * The CLI bundled the way `npm run build` bundles it (esbuild, packages external), into a fresh
 * folder under <repo>/.test-bundle (inside the repo so the bundle's bare imports find
 * node_modules). For tests that start hoosh many times: the bundle starts in a fraction of the
 * time `node --import tsx server/main.ts` takes, which compiles the sources at every start.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { REPO_ROOT } from "./hoosh.js";

export interface Bundle {
  /** dist-like folder: hoosh.js (the CLI), default.toml, worker.mjs. */
  readonly dir: string;
  readonly main: string;
  remove(): Promise<void>;
}

export async function bundleHoosh(): Promise<Bundle> {
  const parent = join(REPO_ROOT, ".test-bundle");
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, "hoosh-"));
  await build({
    entryPoints: [join(REPO_ROOT, "server", "main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    splitting: true,
    outdir: dir,
    entryNames: "hoosh",
    logLevel: "warning",
  });
  await copyFile(join(REPO_ROOT, "server", "config", "default.toml"), join(dir, "default.toml"));
  await copyFile(join(REPO_ROOT, "server", "engines", "stt", "whisper", "worker.mjs"), join(dir, "worker.mjs"));
  return { dir, main: join(dir, "hoosh.js"), remove: () => rm(dir, { recursive: true, force: true }) };
}
