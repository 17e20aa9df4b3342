/**
 * A real redis-server for tests: its own process on an ephemeral loopback port,
 * its own temp dir, no persistence (no RDB, no AOF). Stopped by its PID.
 * A missing binary fails the test (with how to install it), it never skips.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const READY_TIMEOUT_MS = 10_000;

export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  /** redis://127.0.0.1:PORT/0 */
  readonly url: string;
  /** SIGTERM by PID (SIGKILL after 3 s); removes its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that holds its connections but answers nothing. */
  pause(): void;
  resume(): void;
  /** What it printed (its log goes to stdout). */
  output(): string;
}

export function findRedisServer(): string {
  const candidates = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "redis-server")), "/usr/bin/redis-server"];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  throw new Error(
    "redis-server not found (looked on PATH and at /usr/bin/redis-server). " +
      "Install it with scripts/install-system-deps.sh (as root: apt-get install redis-server).",
  );
}

/** A port nothing listens on right now (bind 0 on loopback, close): for servers that cannot print theirs. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once("error", () => done(false));
    sock.once("connect", () => sock.write("PING\r\n"));
    sock.once("data", (d) => done(d.toString().startsWith("+PONG")));
  });
}

async function waitReady(child: ChildProcess, port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited before ready (code ${child.exitCode}, signal ${child.signalCode}):\n${log()}`);
    }
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

/**
 * Starts redis-server on `port` (e.g. to restart one on the port its clients
 * know), or on a free ephemeral port, retrying another if it was taken meanwhile.
 */
export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const bin = findRedisServer();
  let lastError: unknown;
  for (let attempt = 0; attempt < (options.port ? 1 : 3); attempt++) {
    const port = options.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), "hoosh-redis-"));
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
      "--daemonize", "no", "--protected-mode", "yes", "--logfile", "", "--loglevel", "warning"];
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const collect = (d: Buffer) => void (out = (out + d.toString()).slice(-8192));
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const running = () => child.exitCode === null && child.signalCode === null;
    const signal = (sig: NodeJS.Signals) => {
      try {
        if (running() && child.pid !== undefined) process.kill(child.pid, sig);
      } catch {
        /* exited meanwhile */
      }
    };
    // Never outlive the test process (a crashed worker must not leave a server behind).
    const killOnExit = () => signal("SIGKILL");
    process.once("exit", killOnExit);
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        process.off("exit", killOnExit);
        if (running()) {
          signal("SIGCONT"); // a paused server cannot act on SIGTERM
          signal("SIGTERM");
          const timer = setTimeout(() => signal("SIGKILL"), 3000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })());
    try {
      await waitReady(child, port, () => out);
    } catch (err) {
      lastError = err;
      await stop();
      continue;
    }
    const pid = child.pid as number;
    return {
      port,
      pid,
      url: `redis://127.0.0.1:${port}/0`,
      stop,
      pause: () => process.kill(pid, "SIGSTOP"),
      resume: () => process.kill(pid, "SIGCONT"),
      output: () => out,
    };
  }
  throw lastError;
}
