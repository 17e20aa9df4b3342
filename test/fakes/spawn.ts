// Spawn helper process fixtures (fake upstreams) for tests.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FakeEvent } from "./openai/events.js";

export type { FakeEvent, FakeClientClosedEvent, FakeRequestEvent } from "./openai/events.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const READY_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 3_000;

export interface StartedProcess {
  port: number;
  pid: number;
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** SIGTERM by pid, SIGKILL after 3 s; resolves once the process exited. Idempotent. */
  stop(): Promise<void>;
  /** Tail of everything the process wrote to stderr so far. */
  stderr(): string;
}

/**
 * Runs `node --import tsx <scriptPath> ...args` (cwd = repo root) and waits for the
 * first stdout line of the form {"port":N,"pid":P}.
 */
export function startProcess(scriptPath: string, args: string[] = [], options: Partial<StartCommandOptions> = {}): Promise<StartedProcess> {
  return startCommand(process.execPath, ["--import", "tsx", scriptPath, ...args], { label: scriptPath, ...options });
}

export interface StartCommandOptions {
  /** Names the process in errors. */
  label: string;
  /** How long it may take to print its {"port","pid"} line. Default 10 s. */
  readyTimeoutMs?: number;
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs any server command (cwd = repo root; stdin a pipe, so --exit-with-parent works) and waits
 * for the first stdout line of the form {"port":N,"pid":P}; stops it by PID.
 */
export function startCommand(command: string, args: string[], options: StartCommandOptions): Promise<StartedProcess> {
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    ...(options.env ? { env: options.env } : {}),
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => {
    stderr = (stderr + d).slice(-16_384);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const isRunning = () => child.exitCode === null && child.signalCode === null;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!isRunning() || child.pid === undefined) return;
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        if (isRunning() && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
      }, KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return new Promise<StartedProcess>((resolve, reject) => {
    let buffered = "";
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop();
      reject(new Error(`${options.label}: ${why}\n--- stderr ---\n${stderr.trim() || "(empty)"}`));
    };
    const timer = setTimeout(() => fail(`no {"port","pid"} line within ${readyTimeoutMs} ms`), readyTimeoutMs);
    child.once("error", (err) => fail(`spawn failed: ${err.message}`));
    child.once("exit", (code, signal) => fail(`exited before ready (code ${code}, signal ${signal})`));

    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      if (settled) return; // keep draining so the pipe never fills
      buffered += d;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        let ready: unknown;
        try {
          ready = JSON.parse(line);
        } catch {
          continue;
        }
        const { port, pid } = (ready ?? {}) as { port?: unknown; pid?: unknown };
        if (typeof port !== "number" || typeof pid !== "number") continue;
        settled = true;
        clearTimeout(timer);
        resolve({ port, pid, url: `http://127.0.0.1:${port}`, stop, stderr: () => stderr });
        return;
      }
    });
  });
}

/** A fake vendor upstream running as its own process, with its event log. */
export interface FakeUpstream<E> extends StartedProcess {
  /** The vendor's base URL on this server (e.g. "http://127.0.0.1:PORT/v1"). */
  baseUrl: string;
  events(): Promise<E[]>;
  reset(): Promise<void>;
  /** Polls events() until one matches (default timeout 3 s). */
  waitForEvent(match: (e: E) => boolean, timeoutMs?: number): Promise<E>;
}

export interface FakeStartOptions {
  port?: number;
  apiKey?: string;
  slowMs?: number;
  /** Further flags of a fake's own (e.g. ["--region", "us-east-1"]). */
  args?: string[];
}

/**
 * Starts one of the fake upstream scripts (test/fakes/<vendor>-upstream.ts); they share the
 * flags (--port, --api-key, --slow-ms) and the /_fake/events and /_fake/reset endpoints.
 * `basePath` is what the vendor's base URL adds to the server root.
 */
export async function startFake<E>(name: string, script: string, basePath: string, opts: FakeStartOptions = {}): Promise<FakeUpstream<E>> {
  const args = ["--exit-with-parent", "--port", String(opts.port ?? 0)];
  if (opts.apiKey !== undefined) args.push("--api-key", opts.apiKey);
  if (opts.slowMs !== undefined) args.push("--slow-ms", String(opts.slowMs));
  args.push(...(opts.args ?? []));
  const proc = await startProcess(script, args);

  const events = async (): Promise<E[]> => {
    const res = await fetch(`${proc.url}/_fake/events`);
    return (await res.json()) as E[];
  };
  return {
    ...proc,
    baseUrl: `${proc.url}${basePath}`,
    events,
    async reset() {
      await (await fetch(`${proc.url}/_fake/reset`, { method: "POST" })).arrayBuffer();
    },
    async waitForEvent(match, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await events()).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`${name}: no matching event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

export type FakeOpenAI = FakeUpstream<FakeEvent>;
export type FakeOpenAIStartOptions = FakeStartOptions;

export const FAKE_OPENAI_SCRIPT = fileURLToPath(new URL("./openai-upstream.ts", import.meta.url));

/** baseUrl "http://127.0.0.1:PORT/v1": pass as the OpenAI base URL. */
export function startFakeOpenAI(opts: FakeStartOptions = {}): Promise<FakeOpenAI> {
  return startFake<FakeEvent>("fake-openai", FAKE_OPENAI_SCRIPT, "/v1", opts);
}
