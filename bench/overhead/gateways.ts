// Starts each gateway under test as its own process on 127.0.0.1, pointed at
// the mock upstream, and stops it by PID. hoosh serves REST and gRPC from one
// process; Portkey's gateway (npm) and LiteLLM's proxy (venv) are the peers.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startHoosh } from "../../test/harness/hoosh.js";
import { freePort } from "../../test/harness/redis.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const PORTKEY_MAIN = join(REPO_ROOT, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
export const LITELLM_BIN = join(REPO_ROOT, "bench", ".venv", "bin", "litellm");
const LOOPBACK_PRELOAD = fileURLToPath(new URL("./loopback.mjs", import.meta.url));

export interface Gateway {
  name: string;
  pid: number;
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function hooshConfig(mockBaseUrl: string, maxConnections: number): string {
  return `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[[providers]]
name = "mock"
type = "openai"
base_url = "${mockBaseUrl}"
models = ["*"]
max_connections = ${maxConnections}
breaker = { failures = 1000000 }
`;
}

export async function startHooshGateway(mockBaseUrl: string, maxConnections = 64): Promise<Gateway> {
  const h = await startHoosh(hooshConfig(mockBaseUrl, maxConnections));
  return { name: "hoosh", pid: h.pid, url: h.url, port: h.port, stop: () => h.stop() };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => { try { process.kill(child.pid!, "SIGKILL"); } catch { /* gone */ } }, 5000);
    child.once("exit", () => { clearTimeout(timer); resolve(); });
    try { process.kill(child.pid, "SIGTERM"); } catch { clearTimeout(timer); resolve(); }
  });
}

/** Spawns cmd, polls readyPath until 2xx (bounded), returns the gateway or throws with its stderr tail. */
async function spawnGateway(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, port: number, readyPath: string, readyTimeoutMs: number, cleanup?: () => Promise<void>): Promise<Gateway> {
  const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (d: Buffer) => { tail = (tail + d.toString("utf8")).slice(-4000); };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => { await stopChild(child); await cleanup?.(); };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return { name, pid: child.pid!, url, port, stop };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${name} did not become ready within ${readyTimeoutMs} ms (exit ${child.exitCode ?? child.signalCode ?? "none"}): ${tail.trim().slice(-800)}`);
}

export async function startPortkey(): Promise<Gateway> {
  if (!existsSync(PORTKEY_MAIN)) throw new Error(`@portkey-ai/gateway is not installed (${PORTKEY_MAIN} missing): run npm ci`);
  const port = await freePort();
  // Its own start command (package.json "start:node"), headless (no log console), bound to loopback by the preload.
  return spawnGateway("portkey", process.execPath, ["--import", LOOPBACK_PRELOAD, PORTKEY_MAIN, `--port=${port}`, "--headless"], { NODE_ENV: "production" }, port, "/", 20_000);
}

/** Headers that route a Portkey request to the mock (OpenAI wire format, custom host). */
export function portkeyHeaders(mockBaseUrl: string): Record<string, string> {
  return { "x-portkey-provider": "openai", "x-portkey-custom-host": mockBaseUrl, authorization: "Bearer sk-bench" };
}

export async function startLiteLLM(mockBaseUrl: string): Promise<Gateway> {
  if (!existsSync(LITELLM_BIN)) {
    let why = "not installed";
    try { why = `install failed: ${(await readFile(join(REPO_ROOT, "bench", ".venv", ".litellm.failed"), "utf8")).trim()}`; } catch { /* no marker */ }
    throw new Error(`LiteLLM proxy ${why} (scripts/install-bench-tools.sh puts it in bench/.venv)`);
  }
  const dir = await mkdtemp(join(tmpdir(), "hoosh-bench-litellm-"));
  const config = join(dir, "litellm.yaml");
  await writeFile(config, `model_list:
  - model_name: bench
    litellm_params:
      model: openai/bench
      api_base: ${mockBaseUrl}
      api_key: sk-bench
litellm_settings:
  drop_params: true
  telemetry: false
`);
  const port = await freePort();
  return spawnGateway(
    "litellm",
    LITELLM_BIN,
    ["--config", config, "--host", "127.0.0.1", "--port", String(port), "--num_workers", "1"],
    { LITELLM_LOCAL_MODEL_COST_MAP: "True", LITELLM_TELEMETRY: "False", LITELLM_LOG: "ERROR", NO_DOCS: "True" },
    port,
    "/health/liveliness",
    120_000,
    () => rm(dir, { recursive: true, force: true }),
  );
}
