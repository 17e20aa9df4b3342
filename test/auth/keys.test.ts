// Key hashing, constant-time comparison, header parsing, scopes, rpm and `hoosh keys hash`.
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { Auth } from "../../server/auth/authorize.js";
import { digestsEqual, hashKey, KeyRing, presentedKey } from "../../server/auth/keys.js";
import { parseConfig } from "../../server/config/index.js";
import { HOOSH_MAIN, REPO_ROOT } from "../harness/hoosh.js";
import type { KeyConfig } from "../../server/config/schema.js";

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const KEY = "hk_unit_0123456789abcdef";
const entry = (over: Partial<KeyConfig> = {}): KeyConfig => ({ id: "unit", hash: hashKey(KEY), scopes: ["inference"], models: ["*"], pools: [], enabled: true, ...over });
const codeOf = (f: () => unknown): Code | undefined => {
  try {
    f();
  } catch (err) {
    return ConnectError.from(err).code;
  }
  return undefined;
};
const OPTIONS = { open_health: true, open_reflection: true, allow_unauthenticated_remote: false };

describe("constant-time comparison", () => {
  it("confirms a Map hit with timingSafeEqual", () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const ring = new KeyRing([entry()]);
    expect(ring.lookup(KEY)).toMatchObject({ kind: "ok", key: { id: "unit" } });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toHaveLength(32);
  });

  it("handles digests of other lengths or non-hex without throwing", () => {
    const h = hashKey(KEY);
    expect(digestsEqual(h, h)).toBe(true);
    expect(digestsEqual(h, h.toUpperCase())).toBe(true);
    expect(digestsEqual(h, h.slice(0, 62))).toBe(false);
    expect(digestsEqual(h, `${h}00`)).toBe(false);
    expect(digestsEqual(h, "zz".repeat(32))).toBe(false);
    expect(digestsEqual("", "")).toBe(false);
  });

  it("hashKey is sha256 hex", () => {
    expect(hashKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("key lookup", () => {
  it("reads Bearer (any case) and x-api-key", () => {
    const h = (m: Record<string, string>) => (n: string) => m[n];
    expect(presentedKey(h({ authorization: `Bearer ${KEY}` }))).toBe(KEY);
    expect(presentedKey(h({ authorization: `bearer  ${KEY}` }))).toBe(KEY);
    expect(presentedKey(h({ "x-api-key": KEY }))).toBe(KEY);
    expect(presentedKey(h({ authorization: `Basic abc` }))).toBeUndefined();
    expect(presentedKey(h({}))).toBeUndefined();
  });

  it("missing / invalid / disabled", () => {
    expect(new KeyRing([entry()]).lookup(undefined).kind).toBe("missing");
    expect(new KeyRing([entry()]).lookup("nope").kind).toBe("invalid");
    expect(new KeyRing([entry({ enabled: false })]).lookup(KEY)).toEqual({ kind: "disabled", id: "unit" });
  });
});

describe("Auth", () => {
  it("is off with no keys", () => {
    const auth = new Auth([], OPTIONS);
    expect(auth.enabled).toBe(false);
    expect(auth.authenticate(() => undefined)).toBeUndefined();
  });

  it("scopes (admin grants all) and model globs", () => {
    const auth = new Auth([entry({ models: ["gpt-4o-*"] }), entry({ id: "root", hash: hashKey(`${KEY}-root`), scopes: ["admin"] })], OPTIONS);
    const user = auth.authenticate((n) => (n === "x-api-key" ? KEY : undefined))!;
    const root = auth.authenticate((n) => (n === "authorization" ? `Bearer ${KEY}-root` : undefined))!;
    expect(codeOf(() => auth.authorize(user, "inference", "gpt-4o-mini"))).toBeUndefined();
    expect(codeOf(() => auth.authorize(user, "inference", "llama"))).toBe(Code.PermissionDenied);
    expect(codeOf(() => auth.authorize(user, "admin"))).toBe(Code.PermissionDenied);
    expect(codeOf(() => auth.authorize(root, ["budgets:read"]))).toBeUndefined();
    expect(codeOf(() => auth.authenticate(() => undefined))).toBe(Code.Unauthenticated);
    expect(codeOf(() => auth.requireScope({ authorization: `Bearer ${KEY}` }, "admin"))).toBe(Code.PermissionDenied);
    expect(auth.requireScope(new Headers({ authorization: `Bearer ${KEY}-root` }), "admin")).toMatchObject({ id: "root" });
  });

  it("rpm: a sliding 60 s window with retry-after", async () => {
    let now = 0;
    const auth = new Auth([entry({ rpm: 2 })], OPTIONS, { now: () => now });
    const k = auth.authenticate((n) => (n === "x-api-key" ? KEY : undefined))!;
    await auth.admit(k);
    now += 20_000;
    await auth.admit(k);
    const refused = async () => ConnectError.from(await auth.admit(k).then(() => undefined, (e: unknown) => e));
    let err = await refused();
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe('API key "unit" exceeded its limit of 2 requests per minute; retry in 40 s');
    expect(err.metadata.get("retry-after")).toBe("40");
    now += 39_999;
    expect((await refused()).metadata.get("retry-after")).toBe("1");
    now += 1;
    await auth.admit(k); // the first request left the window
    err = await refused();
    expect(err.metadata.get("retry-after")).toBe("20");
  });
});

describe("hoosh keys hash", () => {
  const hoosh = (args: string[], stdin: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", HOOSH_MAIN, "keys", "hash", ...args], { cwd: REPO_ROOT });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.once("close", (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });

  it("hashes a key from stdin; the hash authenticates it", async () => {
    const out = await hoosh([], `${KEY}\n`);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).not.toContain(KEY);
    const hash = /^hash: ([0-9a-f]{64})$/m.exec(out.stdout)![1]!;
    expect(new KeyRing([entry({ hash })]).lookup(KEY).kind).toBe("ok");
  }, 20_000);

  it("--generate prints a new key and its hash", async () => {
    const out = await hoosh(["--generate"], "");
    expect(out.code, out.stderr).toBe(0);
    const key = /^key: (\S+)$/m.exec(out.stdout)![1]!;
    const hash = /^hash: ([0-9a-f]{64})$/m.exec(out.stdout)![1]!;
    expect(hashKey(key)).toBe(hash);
  }, 20_000);

  it("rejects a short key (exit 2)", async () => {
    const out = await hoosh([], "short\n");
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("at least 16 characters");
  }, 20_000);
});

describe("[[keys]] config", () => {
  const parse = (toml: string) => {
    try {
      return parseConfig(toml, { source: "hoosh.toml", env: {} });
    } catch (err) {
      return (err as Error).message;
    }
  };

  it("applies defaults and rejects bad entries without echoing a pasted key", () => {
    const ok = parse(`[[keys]]\nid = "a"\nhash = "${hashKey(KEY)}"\nscopes = ["inference"]\n`);
    expect(ok).toMatchObject({ keys: [{ id: "a", models: ["*"], pools: [], enabled: true }], auth: { open_health: true, allow_unauthenticated_remote: false } });
    const bad = parse(`[[keys]]\nid = "a"\nhash = "${KEY}"\nscopes = ["inference", "root"]\n\n[[keys]]\nid = "a"\nhash = "${hashKey(KEY)}"\nscopes = ["admin"]\n`) as string;
    expect(bad).toContain("keys[0].hash: is not 64 hex digits");
    expect(bad).toContain('keys[0].scopes[1]: "root" is not one of: inference, transcribe, budgets:read, budgets:write, tools, admin');
    expect(bad).toContain('keys[1].id: duplicate key id "a" (already used by keys[0])');
    expect(bad).not.toContain(KEY);
  });
});
