// What the speech tests share: the engines installed the way `npm start` installs them (the
// setup scripts run here, and are no-ops when everything is present: never a skip), a private
// data dir that links to them, and the PIDs of the managed engine read from hoosh's log.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dataDir } from "../../server/engines/data-dir.js";
import { cleanEnv } from "../harness/cli.js";
import { REPO_ROOT } from "../harness/hoosh.js";

export const userEnv = cleanEnv({ ...(process.env.HOME && { HOME: process.env.HOME }), ...(process.env.HOOSH_DATA_DIR && { HOOSH_DATA_DIR: process.env.HOOSH_DATA_DIR }) });

/** Runs scripts/setup-speech.sh (and setup-default-model.sh with `model`); returns the installed data dir. */
export function installEngines(opts: { model?: boolean } = {}): string {
  const env = { ...userEnv, PATH: process.env.PATH ?? "/usr/bin:/bin" };
  execFileSync(join(REPO_ROOT, "scripts", "setup-speech.sh"), { env, stdio: ["ignore", "ignore", "pipe"], timeout: 900_000 });
  if (opts.model) execFileSync(join(REPO_ROOT, "scripts", "setup-default-model.sh"), { env, stdio: ["ignore", "ignore", "pipe"], timeout: 900_000 });
  return dataDir(userEnv);
}

/** A fresh data dir (its own SQLite ledger) whose venv-whisper (and models/) link to the installed ones. */
export function privateDataDir(installed: string, opts: { model?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "hoosh-speech-"));
  symlinkSync(join(installed, "venv-whisper"), join(dir, "venv-whisper"));
  if (opts.model) {
    mkdirSync(join(dir, "models"));
    symlinkSync(join(installed, "models", "gemma3-270m-q4_k_m.gguf"), join(dir, "models", "gemma3-270m-q4_k_m.gguf"));
  }
  return dir;
}

/** PIDs of the managed speech engine, in the order hoosh logged them ready. */
export function enginePids(stdout: string): number[] {
  const pids: number[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.includes('"speech engine ready"')) continue;
    const pid = (JSON.parse(line) as { pid?: number }).pid;
    if (typeof pid === "number") pids.push(pid);
  }
  return pids;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `check` is true, polling; rejects after `ms` with `what`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

