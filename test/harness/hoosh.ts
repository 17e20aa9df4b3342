// Starts a real `hoosh serve` process for integration tests, with a config
// written to a temp file, on an ephemeral loopback port; stops it by PID.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCommand, startProcess, type StartedProcess } from "../fakes/spawn.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const HOOSH_MAIN = join(REPO_ROOT, "server", "main.ts");

export interface Hoosh extends StartedProcess {
  configPath: string;
}

export interface StartHooshOptions {
  /** Run this bundle's CLI (test/harness/bundle.ts) instead of the sources through tsx: starts much faster. */
  bundle?: { main: string };
  /** The process's environment (default: this process's), e.g. HTTPS_PROXY for the proxy tests. */
  env?: NodeJS.ProcessEnv;
}

/** `hoosh serve --config <tmp>/hoosh.toml --port 0`; resolves when it logs its port. */
export async function startHoosh(configToml: string, options: StartHooshOptions = {}): Promise<Hoosh> {
  const dir = await mkdtemp(join(tmpdir(), "hoosh-test-"));
  const configPath = join(dir, "hoosh.toml");
  await writeFile(configPath, configToml);
  const args = ["serve", "--config", configPath, "--port", "0"];
  // A liveness bound, not a speed check (bench/startup.ts measures that): tsx compiles the sources
  // at start, which takes seconds on a 2-core machine busy with the rest of the suite.
  const proc = options.bundle
    ? await startCommand(process.execPath, [options.bundle.main, ...args], { label: options.bundle.main, readyTimeoutMs: 30_000, env: options.env })
    : await startProcess(HOOSH_MAIN, args, { readyTimeoutMs: 30_000, env: options.env });
  return {
    ...proc,
    configPath,
    async stop() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A config with one openai-type provider pointing at a fake upstream (breaker effectively off). */
export function fakeProviderConfig(baseUrl: string, extra = ""): string {
  return `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 2000

[[providers]]
name = "fake"
type = "openai"
base_url = "${baseUrl}"
models = ["*"]
timeouts = { connect_ms = 1000, first_byte_ms = 2000, idle_ms = 2000 }
# Tests script many upstream faults against this one provider: keep its breaker from opening.
breaker = { failures = 1000 }
${extra}
`;
}
