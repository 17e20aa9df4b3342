// Locating and running the external tools integration tests drive: Go-built
// binaries in .tools/bin (grpcurl), buf from node_modules, and plain commands.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { REPO_ROOT } from "./hoosh.js";

export const TOOLS_BIN = join(REPO_ROOT, ".tools", "bin");
export const NODE_BIN = join(REPO_ROOT, "node_modules", ".bin");

/** Absolute path of a tool in <repo>/.tools/bin; throws telling how to install it. */
export function toolPath(name: string): string {
  const path = join(TOOLS_BIN, name);
  if (!existsSync(path)) {
    throw new Error(`${name} not found at ${path}: run scripts/install-tools.sh (it installs the pinned Go tools into .tools/bin)`);
  }
  return path;
}

/** Absolute path of an npm-installed binary (node_modules/.bin); throws telling to run npm ci. */
export function npmBinPath(name: string): string {
  const path = join(NODE_BIN, name);
  if (!existsSync(path)) throw new Error(`${name} not found at ${path}: run npm ci`);
  return path;
}

/** PATH with node_modules/.bin first, as npm scripts see it (buf finds protoc-gen-es there). */
export function pathWithNodeBin(env: NodeJS.ProcessEnv = process.env): string {
  return [NODE_BIN, env.PATH ?? ""].join(delimiter);
}

export interface RunResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  /** The complete environment of the child (not merged with process.env). */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL after this long (default 30 s); the result then has signal "SIGKILL". */
  timeoutMs?: number;
}

/** Runs a command to completion; never rejects on a non-zero exit. */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, "SIGKILL"), opts.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Splits pretty-printed JSON documents written one after another (grpcurl, buf curl streams). */
export function parseJsonSequence(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return docs;
}
