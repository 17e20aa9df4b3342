// A real `hoosh serve` with [[keys]] in its config, for the access-control tests.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnServe, type ServeProcess } from "../harness/cli.js";
import { fakeProviderConfig } from "../harness/hoosh.js";

export const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");

/** Keys of the test config: id → the key itself. */
export const KEYS = {
  app: "hk_test_app_0123456789abcdef",
  admin: "hk_test_admin_0123456789abcdef",
  reader: "hk_test_reader_0123456789abcdef",
  limited: "hk_test_limited_0123456789abcdef",
  slow: "hk_test_rpm_0123456789abcdef",
  off: "hk_test_off_0123456789abcdef",
} as const;

export const KEYS_TOML = `
[[budgets]]
name = "team-a"
capacity = 100000000

[[keys]]
id = "app"
hash = "${sha256(KEYS.app)}"
scopes = ["inference"]
default_pool = "team-a"

[[keys]]
id = "admin"
hash = "${sha256(KEYS.admin)}"
scopes = ["admin"]

[[keys]]
id = "reader"
hash = "${sha256(KEYS.reader)}"
scopes = ["budgets:read"]
pools = ["*"]

[[keys]]
id = "limited"
hash = "${sha256(KEYS.limited)}"
scopes = ["inference"]
models = ["gpt-4o-*"]

[[keys]]
id = "slow"
hash = "${sha256(KEYS.slow)}"
scopes = ["inference"]
rpm = 2

[[keys]]
id = "off"
hash = "${sha256(KEYS.off)}"
scopes = ["inference"]
enabled = false
`;

export interface Served {
  server: ServeProcess;
  configPath: string;
  stop(): Promise<void>;
}

/** `hoosh serve --config <tmp> --port 0` with the given TOML. */
export async function serveWith(toml: string, extraArgs: string[] = []): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), "hoosh-auth-"));
  const configPath = join(dir, "hoosh.toml");
  await writeFile(configPath, toml);
  const server = await spawnServe(["--config", configPath, "--port", "0", ...extraArgs]);
  return {
    server,
    configPath,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function withKeys(upstreamUrl: string, extra = ""): string {
  return fakeProviderConfig(upstreamUrl, `${extra}\n${KEYS_TOML}`);
}

export const chatBody = (model = "gpt-4o-mini", messages = [{ role: "user", content: "hi" }]) => JSON.stringify({ model, messages });

export async function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}
