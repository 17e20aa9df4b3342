// Shared by the observability tests: a hoosh serve process (stdout kept) in front of the fake
// OpenAI upstream, and small request and Prometheus-text helpers.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, spawnServe, type ServeProcess } from "../harness/cli.js";
import { fakeProviderConfig } from "../harness/hoosh.js";

export interface Served extends ServeProcess {
  dir: string;
  close(): Promise<void>;
}

export async function serveWith(upstreamBaseUrl: string, extra = "", env: Record<string, string> = {}): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), "hoosh-obs-"));
  const config = join(dir, "hoosh.toml");
  await writeFile(config, fakeProviderConfig(upstreamBaseUrl, extra));
  const proc = await spawnServe(["--config", config, "--port", "0"], cleanEnv({ HOOSH_DATA_DIR: dir, ...env }));
  return {
    ...proc,
    dir,
    async close() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

/** Connect unary JSON call. */
export async function rpc(url: string, method: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/hoosh.v1.InferenceService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", "connect-protocol-version": "1", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function chat(model: string, text: string) {
  return { model, messages: [{ role: "ROLE_USER", content: [{ text }] }] };
}

/** One sample's value from Prometheus text; labels must match exactly (all of them). */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const got = (m[2] ?? "")
      .split(/,(?=[a-z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(",");
    if (got === want) return Number(m[3]);
  }
  return undefined;
}

/** Polls until check() returns a value (default 5 s). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
