// Starts scripts/whisper-server (a real Whisper model, tiny.en via faster-whisper, behind an
// OpenAI-compatible /v1/audio/transcriptions) from its venv on an ephemeral loopback port,
// and stops it by PID. A missing venv is an error that says how to make it, never a skip.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WHISPER_PYTHON = `${REPO_ROOT}.tools/whisper-venv/bin/python`;
export const WHISPER_SERVER = `${REPO_ROOT}scripts/whisper-server/server.py`;
const READY_TIMEOUT_MS = 30_000; // imports + model load: ~1 s here, more on a cold disk
const KILL_AFTER_MS = 3_000;

export const whisperVenvExists = () => existsSync(WHISPER_PYTHON);

export interface WhisperServer {
  port: number;
  pid: number;
  /** "http://127.0.0.1:PORT/v1": an openai-type provider's base_url */
  baseUrl: string;
  stop(): Promise<void>;
  stderr(): string;
}

/** `server.py --host 127.0.0.1 --port 0 ...args`; resolves when it prints {"port","pid"}. */
export function startWhisperServer(args: string[] = []): Promise<WhisperServer> {
  if (!whisperVenvExists()) {
    return Promise.reject(new Error(`the Whisper server's venv is missing (${WHISPER_PYTHON}); run scripts/setup-whisper-server.sh first (scripts/test.sh and CI do)`));
  }
  const child = spawn(WHISPER_PYTHON, [WHISPER_SERVER, "--host", "127.0.0.1", "--port", "0", ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-16_384)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!running() || child.pid === undefined) return;
      process.kill(child.pid, "SIGTERM");
      const timer = setTimeout(() => running() && child.pid !== undefined && process.kill(child.pid, "SIGKILL"), KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    })());

  return new Promise((resolve, reject) => {
    let out = "";
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop();
      reject(new Error(`whisper-server: ${why}\n--- stderr ---\n${stderr.trim() || "(empty)"}`));
    };
    const timer = setTimeout(() => fail(`no {"port","pid"} line within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    child.once("error", (err) => fail(`spawn failed: ${err.message}`));
    child.once("exit", (code, signal) => fail(`exited before ready (code ${code}, signal ${signal})`));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (settled) return; // keep draining so the pipe never fills
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      const line = out.slice(0, nl);
      let ready: { port?: unknown; pid?: unknown } = {};
      try {
        ready = JSON.parse(line) as typeof ready;
      } catch {
        /* reported below */
      }
      if (typeof ready.port !== "number" || typeof ready.pid !== "number") return fail(`first stdout line is not {"port","pid"}: ${line}`);
      settled = true;
      clearTimeout(timer);
      resolve({ port: ready.port, pid: ready.pid, baseUrl: `http://127.0.0.1:${ready.port}/v1`, stop, stderr: () => stderr });
    });
  });
}
