// The console tests' hoosh config: a fake OpenAI provider, one budget pool and three keys
// (admin, budgets:read, inference only), and the bounds their waits use.
import { createHash } from "node:crypto";

export const ADMIN_KEY = "hk_console_admin_0123456789abcdef";
export const READER_KEY = "hk_console_reader_0123456789abcdef";
export const INFERENCE_KEY = "hk_console_inference_0123456789abcdef";
/** Conditions, not speed: generous bounds for a busy 2-core machine (playwright's own waits too). */
export const SLOW = { timeout: 20_000 };
const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");

export function config(fakeBaseUrl: string, extra = ""): string {
  return `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[[providers]]
name = "fake"
type = "openai"
base_url = "${fakeBaseUrl}"
models = ["fake-model", "fake-long-stream", "*"]
breaker = { failures = 1000 }

[[budgets]]
name = "default"
capacity = 1000000

[[keys]]
id = "admin"
hash = "${sha256(ADMIN_KEY)}"
scopes = ["admin"]

[[keys]]
id = "reader"
hash = "${sha256(READER_KEY)}"
scopes = ["budgets:read"]

[[keys]]
id = "app"
hash = "${sha256(INFERENCE_KEY)}"
scopes = ["inference"]
${extra}
`;
}

/** No [[keys]] on a loopback bind: the console opens without a login. */
export function openConfig(fakeBaseUrl: string): string {
  return `[server]\nbind = "127.0.0.1"\n\n[[providers]]\nname = "fake"\ntype = "openai"\nbase_url = "${fakeBaseUrl}"\nmodels = ["fake-model"]\n`;
}
