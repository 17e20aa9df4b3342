/**
 * The CLI bundled the way `npm run build` bundles it (scripts/build.ts), into a fresh
 * folder under <repo>/.test-bundle (inside the repo so the bundle's bare imports find
 * node_modules). For tests that start hoosh many times: the bundle starts in a fraction of the
 * time `node --import tsx server/main.ts` takes, which compiles the sources at every start.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildHoosh } from "../../scripts/build.js";
import { REPO_ROOT } from "./hoosh.js";

export interface Bundle {
  /** dist-like folder: hoosh.js (the CLI), default.toml, worker.mjs, console/ (the web console). */
  readonly dir: string;
  readonly main: string;
  remove(): Promise<void>;
}

export async function bundleHoosh(): Promise<Bundle> {
  const parent = join(REPO_ROOT, ".test-bundle");
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, "hoosh-"));
  await buildHoosh(dir);
  return { dir, main: join(dir, "hoosh.js"), remove: () => rm(dir, { recursive: true, force: true }) };
}
