// A server hoosh runs as its own child process (the faster-whisper server): started at hoosh's
// start or on first use, ready once it printed its port line and answered a health request,
// restarted with backoff when it dies, its stderr lines in hoosh's log, and stopped by PID
// (SIGTERM, then SIGKILL) when hoosh closes. Requests wait for a start in progress.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { Code, ConnectError } from "@connectrpc/connect";
import { untilAborted } from "../../../core/abort.js";

export type LogFn = (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface ManagedProcessOptions {
  /** Named in errors and logs, e.g. `provider "speech-to-text"`. */
  name: string;
  command: string;
  args: string[];
  /** Longest wait for the port line plus the health check. */
  startTimeoutMs: number;
  /** Resolves when the server at `baseUrl` answers; throws otherwise. */
  healthCheck(baseUrl: string, signal: AbortSignal): Promise<void>;
  log: LogFn;
  /** Keep it running: restart a crashed process by itself (load = "startup"); else on the next request. */
  keepAlive: boolean;
  /** Told whenever the process starts starting, becomes ready or stops (for grpc.health). */
  onState?(state: EngineState): void;
}

/** "down": no process runs (not started yet, exited, or stopped). */
export type EngineState = "starting" | "ready" | "down";

const STOP_GRACE_MS = 5_000;
const BACKOFF = { firstMs: 500, maxMs: 30_000 };

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private ready: Promise<string> | undefined;
  private closed = false;
  private backoffMs = BACKOFF.firstMs;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Starts so far (the first is 1): tests and logs tell restarts apart. */
  starts = 0;
  private current: EngineState = "down";

  constructor(private readonly opts: ManagedProcessOptions) {}

  /** The running process's PID, if one runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  get state(): EngineState {
    return this.current;
  }

  /** The start in progress (never starts one): resolves with the base URL once ready. */
  get starting(): Promise<string> | undefined {
    return this.current === "starting" ? this.ready : undefined;
  }

  private setState(state: EngineState): void {
    if (state === this.current) return;
    this.current = state;
    this.opts.onState?.(state);
  }

  /** The base URL of a ready server: starts one when none runs, waits for one starting. */
  url(signal: AbortSignal): Promise<string> {
    if (this.closed) return Promise.reject(new ConnectError(`${this.opts.name} is shut down`, Code.Unavailable));
    this.ready ??= this.start();
    return untilAborted(this.ready, signal);
  }

  /** Starts now (load = "startup"); a failure is logged and left for the next request to retry. */
  warm(): void {
    this.url(new AbortController().signal).catch(() => undefined);
  }

  private async start(): Promise<string> {
    clearTimeout(this.restartTimer);
    this.starts++;
    const { name, log } = this.opts;
    const child = spawn(this.opts.command, this.opts.args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    log("info", "speech engine starting", { provider: name, pid: child.pid, start: this.starts });
    this.setState("starting");
    createInterface({ input: child.stderr! }).on("line", (line) => log("info", "speech engine", { provider: name, pid: child.pid, line }));
    const exited = new Promise<never>((_, reject) => {
      child.once("error", (err) => reject(new ConnectError(`${name}: cannot start ${this.opts.command}: ${err.message}`, Code.Unavailable)));
      child.once("exit", (code, sig) => reject(new ConnectError(`${name}: the speech engine exited (${sig ?? `code ${code}`}) before it was ready`, Code.Unavailable)));
    });
    exited.catch(() => undefined);
    child.once("exit", (code, sig) => this.onExit(child, code, sig));
    const timeout = AbortSignal.timeout(this.opts.startTimeoutMs);
    try {
      const port = await Promise.race([firstPortLine(child), exited, rejectOnAbort(timeout, `${name}: the speech engine did not start within ${this.opts.startTimeoutMs} ms`)]);
      const baseUrl = `http://127.0.0.1:${port}/v1`;
      await Promise.race([this.opts.healthCheck(baseUrl, timeout), exited]);
      log("info", "speech engine ready", { provider: name, pid: child.pid, base_url: baseUrl });
      this.backoffMs = BACKOFF.firstMs;
      this.setState("ready");
      return baseUrl;
    } catch (err) {
      this.ready = undefined;
      this.setState("down");
      stop(child);
      log("error", "speech engine failed to start", { provider: name, error: ConnectError.from(err).rawMessage });
      throw ConnectError.from(err, Code.Unavailable);
    }
  }

  private onExit(child: ChildProcess, code: number | null, sig: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = undefined;
    this.setState("down");
    if (this.closed) return;
    this.opts.log("warn", "speech engine exited; restarting", { provider: this.opts.name, pid: child.pid, code, signal: sig });
    if (!this.opts.keepAlive) return; // the next request starts it
    this.restartTimer = setTimeout(() => this.warm(), this.backoffMs);
    this.restartTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF.maxMs);
  }

  /** Stops the process by its PID and waits until it is gone. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      stop(child);
    });
  }
}

/** SIGTERM by PID, SIGKILL if it is still there after the grace period. */
function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  timer.unref();
  child.once("exit", () => clearTimeout(timer));
}

/** The server prints one line `{"port": N, "pid": P}` on stdout once it listens. */
function firstPortLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      try {
        const port = (JSON.parse(line) as { port?: unknown }).port;
        if (typeof port === "number" && port > 0) return resolve(port);
      } catch {
        // fall through
      }
      reject(new ConnectError(`the speech engine printed ${JSON.stringify(line.slice(0, 120))} instead of its port line`, Code.Unavailable));
    });
  });
}

function rejectOnAbort(signal: AbortSignal, message: string): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new ConnectError(message, Code.Unavailable)), { once: true }));
}
