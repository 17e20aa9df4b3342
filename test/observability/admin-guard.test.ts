// With [[keys]], metrics_require_key = true puts /metrics behind the admin scope; the audit
// endpoint always is.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { serveWith, type Served } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const ADMIN = "hk-admin-0123456789";
const USER = "hk-user-0123456789";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
let hoosh: Served;

beforeAll(async () => {
  hoosh = await serveWith(
    "http://127.0.0.1:9/v1",
    `
[observability]
metrics_require_key = true

[[keys]]
id = "ops"
hash = "${sha(ADMIN)}"
scopes = ["admin"]

[[keys]]
id = "app"
hash = "${sha(USER)}"
scopes = ["inference"]
`,
  );
});
afterAll(async () => {
  await hoosh?.close();
});

it.each(["/metrics", "/hoosh/admin/audit/verify"])("%s needs an admin key", async (path) => {
  expect((await fetch(`${hoosh.url}${path}`)).status).toBe(401);
  expect((await fetch(`${hoosh.url}${path}`, { headers: { authorization: `Bearer ${USER}` } })).status).toBe(403);
  const ok = await fetch(`${hoosh.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  expect(ok.status).toBe(200);
  await ok.arrayBuffer();
});
