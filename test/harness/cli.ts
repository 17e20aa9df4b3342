// Running the hoosh CLI (`node --import tsx server/main.ts ...`) as a child process:
// one-shot commands to completion, and `serve` with its exit code observable.
import { spawn, type ChildProcess } from "node:child_process";
import { HOOSH_MAIN, REPO_ROOT } from "./hoosh.js";
import { run, type RunOptions, type RunResult } from "./tools.js";

/** A minimal environment: no HOOSH_* or provider keys leak in from the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", ...extra };
}

/** Runs `hoosh <args>` to completion (clean environment unless opts.env is given). */
export function runHoosh(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, ["--import", "tsx", HOOSH_MAIN, ...args], { env: cleanEnv(), ...opts });
}

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** performance.now() at spawn and when the "listening" line arrived. */
  spawnedAt: number;
  readyAt: number;
  /** Resolves when the process has exited; `at` is performance.now() at exit. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stdout(): string;
  stderr(): string;
  /** SIGTERM (or `signal`) by pid, SIGKILL after 5 s; resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns `hoosh serve <args>` and resolves once it logs its port. Rejects (with stderr) if it exits
 * first or does not get ready within 15 s. `entry`: node's arguments before "serve" (by default
 * the sources through tsx; e.g. [<repo>/bin/hoosh.cjs] for the built CLI).
 */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), entry: readonly string[] = ["--import", "tsx", HOOSH_MAIN]): Promise<ServeProcess> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...entry, "serve", ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (running() && child.pid !== undefined) process.kill(child.pid, signal);
    const timer = setTimeout(() => running() && child.pid !== undefined && process.kill(child.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop("SIGKILL");
      reject(new Error(`hoosh serve not ready within 15 s\n--- stderr ---\n${stderr}`));
    }, 15_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`hoosh serve exited before ready (code ${code}, signal ${signal})\n--- stderr ---\n${stderr}`));
    });
    const onData = () => {
      for (const line of stdout.split("\n")) {
        let parsed: { msg?: unknown; port?: unknown } | undefined;
        try {
          parsed = JSON.parse(line) as typeof parsed;
        } catch {
          continue;
        }
        if (parsed?.msg !== "listening" || typeof parsed.port !== "number") continue;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        const port = parsed.port;
        resolve({
          child,
          pid: child.pid!,
          port,
          url: `http://127.0.0.1:${port}`,
          spawnedAt,
          readyAt: performance.now(),
          exited,
          stdout: () => stdout,
          stderr: () => stderr,
          stop,
        });
        return;
      }
    };
    child.stdout!.on("data", onData);
  });
}
