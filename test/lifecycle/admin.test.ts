// hoosh.v1.AdminService through a real `hoosh serve`: ReloadConfig with good
// and bad TOML text (admin scope when keys are configured), VerifyAuditLog on
// a good and a tampered audit file, and both over REST transcoding.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AdminService } from "../../gen/ts/hoosh/v1/admin_pb.js";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { chat, Env, SERVER } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const ADMIN = "hk_test_admin_0123456789abcdef";
const APP = "hk_test_app_0123456789abcdef";
const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
const KEYS = `
[[keys]]
id = "admin"
hash = "${sha256(ADMIN)}"
scopes = ["admin"]

[[keys]]
id = "app"
hash = "${sha256(APP)}"
scopes = ["inference"]
`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const env = new Env();
beforeAll(() => env.start());
afterAll(() => env.stop());

async function rpcError(p: Promise<unknown>): Promise<ConnectError> {
  const err = await p.then(() => undefined, (e: unknown) => ConnectError.from(e));
  expect(err, "expected the call to fail").toBeInstanceOf(ConnectError);
  return err!;
}

describe("AdminService.ReloadConfig", () => {
  it("applies good TOML text, rejects bad text with InvalidArgument, and needs the admin scope", async () => {
    const server = await env.serve(await env.write(SERVER + env.provider("one", `"*"`) + KEYS));
    const admin = env.client(AdminService, server, bearer(ADMIN));
    const inference = env.client(InferenceService, server, bearer(APP));

    const denied = await rpcError(env.client(AdminService, server, bearer(APP)).reloadConfig({ configToml: SERVER + KEYS }));
    expect(denied.code).toBe(Code.PermissionDenied);

    const bad = await rpcError(admin.reloadConfig({ configToml: `${SERVER}prot = 1\n${env.provider("two", `"*"`)}${KEYS}` }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.rawMessage).toContain("request: server.prot");
    expect((await inference.generate(chat("m", "still one"))).usage?.provider).toBe("one");

    const res = await admin.reloadConfig({ configToml: SERVER + env.provider("two", `"*"`) + `\n[[budgets]]\nname = "team"\ncapacity = 1000\n` + KEYS });
    expect(res).toMatchObject({ source: "request", providers: ["two"], budgets: ["team"], keys: ["admin", "app"] });
    expect((await inference.generate(chat("m", "now two"))).usage?.provider).toBe("two");

    // Empty text re-reads the file hoosh was started with.
    const again = await admin.reloadConfig({});
    expect(again.providers).toEqual(["one"]);
    expect((await inference.generate(chat("m", "one again"))).usage?.provider).toBe("one");

    // REST transcoding serves it too.
    const rest = await fetch(`${server.url}/hoosh/v1/admin/config:reload`, { method: "POST", headers: { ...bearer(ADMIN), "content-type": "application/json" }, body: "{}" });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ providers: ["one"], keys: ["admin", "app"] });
  });
});

describe("AdminService.ReloadConfig hardening", () => {
  const SECRET = "sk-live-0123456789abcdefSECRET";

  it("errors name an ${ENV} variable, never its value (parse and build errors alike)", async () => {
    const server = await env.serve(await env.write(SERVER + env.provider("one", `"gpt-*"`) + KEYS), { SECRET_TOKEN: SECRET });
    const admin = env.client(AdminService, server, bearer(ADMIN));
    const parse = await rpcError(admin.reloadConfig({ configToml: `[server]\nbind = "\${SECRET_TOKEN}"\nport = 0\n${env.provider("one", `"gpt-*"`)}${KEYS}` }));
    expect(parse.code).toBe(Code.InvalidArgument);
    expect(parse.rawMessage).toContain("${SECRET_TOKEN}");
    expect(parse.rawMessage).not.toContain(SECRET);
    // Valid TOML whose value only fails when the app is built (no provider serves that model).
    const build = await rpcError(admin.reloadConfig({ configToml: `${SERVER}${env.provider("one", `"gpt-*"`)}\n[cache]\nsemantic_model = "emb-\${SECRET_TOKEN}"\n${KEYS}` }));
    expect(build.code).toBe(Code.InvalidArgument);
    expect(build.rawMessage).toContain("cache.semantic_model");
    expect(build.rawMessage).toContain("emb-${SECRET_TOKEN}");
    expect(build.rawMessage).not.toContain(SECRET);
    expect(server.stdout() + server.stderr()).not.toContain(SECRET);
  });

  it("a rejected config leaves nothing on disk: no SQLite file, no outbox, no folders", async () => {
    const server = await env.serve(await env.write(SERVER + env.provider("one", `"gpt-*"`) + KEYS));
    const admin = env.client(AdminService, server, bearer(ADMIN));
    const root = join(env.dir, "not-yet");
    const store = `\n[store]\nkind = "sqlite"\npath = "${join(root, "deeper", "hoosh.db")}"\noutbox_path = "${join(root, "outbox", "outbox.db")}"\n`;
    const bad = await rpcError(admin.reloadConfig({ configToml: `${SERVER}${env.provider("one", `"gpt-*"`)}${store}\n[cache]\nsemantic_model = "nobody-serves-this"\n${KEYS}` }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.rawMessage).toContain("cache.semantic_model");
    expect(existsSync(root)).toBe(false);
    // The same store in an accepted config is created.
    await admin.reloadConfig({ configToml: `${SERVER}${env.provider("one", `"gpt-*"`)}${store}${KEYS}` });
    expect(existsSync(join(root, "deeper", "hoosh.db"))).toBe(true);
    expect(existsSync(join(root, "outbox", "outbox.db"))).toBe(true);
  });
});

describe("AdminService.VerifyAuditLog", () => {
  it("reports ok on an intact audit file and the first broken entry after tampering", async () => {
    const audit = join(env.dir, "audit.jsonl");
    const server = await env.serve(await env.write(`${SERVER}\n[observability]\naudit_path = "${audit}"\naudit_key = "k3y"\n${env.provider("fake", `"*"`)}`));
    const admin = env.client(AdminService, server);
    const budgets = env.client(BudgetService, server);
    for (const name of ["p1", "p2", "p3"]) await budgets.createPool({ pool: { name, capacityTokens: 100n } });

    const good = await admin.verifyAuditLog({});
    expect(good.ok, good.message).toBe(true);
    expect(good.entries).toBe(3n);

    const lines = (await readFile(audit, "utf8")).trimEnd().split("\n");
    lines[1] = lines[1]!.replace('"p2"', '"pX"');
    await writeFile(audit, `${lines.join("\n")}\n`);
    const broken = await admin.verifyAuditLog({});
    expect(broken).toMatchObject({ ok: false, entries: 1n, brokenAt: 2n });
    expect(broken.message).toContain("seq 2");

    const rest = await fetch(`${server.url}/hoosh/v1/admin/audit:verify`);
    const body = (await rest.json()) as { ok?: boolean; brokenAt?: string };
    expect(body.ok).not.toBe(true); // proto3 JSON leaves out ok = false
    expect(body.brokenAt).toBe("2");
  });
});
