// KeysService through a real `hoosh serve` on SQLite: keys made at run time work at once, config
// keys are listed read-only, revoke and rotate (with a grace period) take effect, teams share a
// budget, and every bad input is a clear error naming the field with nothing half-made.
import { Code } from "@connectrpc/connect";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BudgetPeriod, BudgetService, UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { KeySource, KeysService, KeyState } from "../../gen/ts/hoosh/v1/keys_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { serveWith, type Served } from "../auth/helpers.js";
import { ADMIN_KEY, chat, clients, CONFIG_APP_KEY, expectCode, keyedConfig, type Clients } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let fake: FakeOpenAI;
let served: Served;
let c: Clients;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoosh-keys-"));
  fake = await startFakeOpenAI();
  served = await serveWith(keyedConfig(fake.baseUrl, `[store]\nkind = "sqlite"\npath = "${join(dir, "hoosh.db")}"\noutbox_path = "${join(dir, "outbox.db")}"\n`));
  c = clients(served.server.url);
});

afterAll(async () => {
  c?.sessions.abort();
  await served?.stop();
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const admin = () => c.client(KeysService, ADMIN_KEY);
const infer = (key: string, model = "gpt-4o-mini") => c.client(InferenceService, key).generate(chat(model));

describe("KeysService", () => {
  it("CreateKey returns the secret once; the key works at once and only for its models", async () => {
    const { key, secret } = await admin().createKey({ key: { name: "svc-a", scopes: ["inference"], models: ["gpt-4o*"], metadata: { owner: "ops" } } });
    expect(secret).toMatch(/^hk_/);
    expect(key?.id).not.toBe("");
    expect(key?.state).toBe(KeyState.ACTIVE);
    expect(key?.source).toBe(KeySource.STORED);
    expect((await infer(secret)).message).toBeDefined();
    await expectCode(infer(secret, "claude-3"), Code.PermissionDenied, "claude-3");
    // GetKey never shows the secret again.
    const got = await admin().getKey({ id: key!.id });
    expect(JSON.stringify(got.key, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(secret);
    expect(got.key?.metadata).toEqual({ owner: "ops" });
    expect(got.key?.lastUsedTime).toBeDefined();
  });

  it("lists config keys read-only next to stored ones", async () => {
    const { keys } = await admin().listKeys({});
    const config = keys.find((k) => k.id === "config-app");
    expect(config?.source).toBe(KeySource.CONFIG);
    expect(keys.some((k) => k.name === "svc-a" && k.source === KeySource.STORED)).toBe(true);
    await expectCode(admin().revokeKey({ id: "config-app" }), Code.FailedPrecondition, "config file");
    expect((await infer(CONFIG_APP_KEY)).message).toBeDefined();
  });

  it("RevokeKey refuses the key at once; revoking twice is an error", async () => {
    const { key, secret } = await admin().createKey({ key: { name: "svc-revoke", scopes: ["inference"] } });
    expect((await infer(secret)).message).toBeDefined();
    const revoked = await admin().revokeKey({ id: key!.id });
    expect(revoked.key?.state).toBe(KeyState.REVOKED);
    await expectCode(infer(secret), Code.Unauthenticated, "revoked");
    await expectCode(admin().revokeKey({ id: key!.id }), Code.FailedPrecondition, "already revoked");
    await expectCode(admin().revokeKey({ id: "no-such-key" }), Code.NotFound, "no-such-key");
    // A revoked key frees its name.
    await admin().createKey({ key: { name: "svc-revoke", scopes: ["inference"] } });
  });

  it("RotateKey: the old secret works during the grace period only", async () => {
    const { key, secret: first } = await admin().createKey({ key: { name: "svc-rotate", scopes: ["inference"] } });
    const { secret: second } = await admin().rotateKey({ id: key!.id, gracePeriod: { seconds: 3600n, nanos: 0 } });
    expect((await infer(first)).message).toBeDefined();
    expect((await infer(second)).message).toBeDefined();
    const { secret: third } = await admin().rotateKey({ id: key!.id, gracePeriod: { seconds: 0n, nanos: 0 } });
    await expectCode(infer(second), Code.Unauthenticated);
    await expectCode(infer(first), Code.Unauthenticated);
    expect((await infer(third)).message).toBeDefined();
    await expectCode(admin().rotateKey({ id: key!.id, gracePeriod: { seconds: -1n, nanos: 0 } }), Code.InvalidArgument, "grace_period");
  });

  it("bad input: each a clear error naming the field, nothing half-made", async () => {
    const before = (await admin().listKeys({ includeRevoked: true })).keys.length;
    await admin().createKey({ key: { name: "dup", scopes: ["inference"] } });
    await expectCode(admin().createKey({ key: { name: "dup", scopes: ["inference"] } }), Code.AlreadyExists, "key.name", '"dup"');
    await expectCode(admin().createKey({ key: { name: "t1", team: "ghosts", scopes: ["inference"] } }), Code.InvalidArgument, "key.team", '"ghosts"');
    await expectCode(admin().createKey({ key: { name: "t2", scopes: ["inference"], models: ["gpt-[4"] } }), Code.InvalidArgument, "key.models[0]", "gpt-[4");
    await expectCode(
      admin().createKey({ key: { name: "t3", scopes: ["inference"], budget: { tokens: -5n, period: BudgetPeriod.DAILY } } }),
      Code.InvalidArgument,
      "key.budget.tokens",
      "-5",
    );
    await expectCode(admin().createKey({ key: { name: "t4", scopes: ["root"] } }), Code.InvalidArgument, "key.scopes[0]", '"root"');
    await expectCode(admin().createKey({ key: { name: "Bad Name", scopes: ["inference"] } }), Code.InvalidArgument, "key.name");
    await expectCode(admin().createKey({ key: { name: "t5", scopes: ["inference"], limits: { rpm: 0 } } }), Code.InvalidArgument, "key.limits.rpm");
    await expectCode(admin().createKey({}), Code.InvalidArgument, "key");
    const after = (await admin().listKeys({ includeRevoked: true })).keys;
    expect(after.length).toBe(before + 1);
    expect(after.filter((k) => k.name.startsWith("t")).map((k) => k.name)).toEqual([]);
  });

  it("UpdateKey changes the masked fields only, at once; a bad mask names update_mask", async () => {
    const { key, secret } = await admin().createKey({ key: { name: "svc-update", scopes: ["inference"], models: ["claude-*"], metadata: { a: "1" } } });
    await expectCode(infer(secret), Code.PermissionDenied);
    const updated = await admin().updateKey({ key: { id: key!.id, models: ["gpt-4o*"], name: "ignored" }, updateMask: { paths: ["models"] } });
    expect(updated.key?.models).toEqual(["gpt-4o*"]);
    expect(updated.key?.name).toBe("svc-update");
    expect(updated.key?.metadata).toEqual({ a: "1" });
    expect((await infer(secret)).message).toBeDefined();
    await expectCode(admin().updateKey({ key: { id: key!.id }, updateMask: { paths: ["secret"] } }), Code.InvalidArgument, "update_mask", '"secret"');
    await expectCode(admin().updateKey({ key: { id: key!.id, models: ["gpt-[4"] }, updateMask: { paths: ["models"] } }), Code.InvalidArgument, "key.models[0]");
    expect((await admin().getKey({ id: key!.id })).key?.models).toEqual(["gpt-4o*"]);
  });

  it("a key's own limits apply: rpm", async () => {
    const { secret } = await admin().createKey({ key: { name: "svc-rpm", scopes: ["inference"], limits: { rpm: 2 } } });
    await infer(secret);
    await infer(secret);
    await expectCode(infer(secret), Code.ResourceExhausted);
  });

  it("expiry: a past expire_time is refused; an expired key is Unauthenticated naming it", async () => {
    await expectCode(
      admin().createKey({ key: { name: "svc-past", scopes: ["inference"], expireTime: { seconds: BigInt(Math.floor(Date.now() / 1000) - 60), nanos: 0 } } }),
      Code.InvalidArgument,
      "key.expire_time",
    );
    const soon = Date.now() + 1500;
    const { key, secret } = await admin().createKey({ key: { name: "svc-expiring", scopes: ["inference"], expireTime: { seconds: BigInt(Math.floor(soon / 1000)), nanos: (soon % 1000) * 1e6 } } });
    expect((await infer(secret)).message).toBeDefined();
    await vi.waitFor(() => expectCode(infer(secret), Code.Unauthenticated, key!.id, "expired"), { timeout: 10_000, interval: 100 });
    expect((await admin().getKey({ id: key!.id })).key?.state).toBe(KeyState.EXPIRED);
  });

  it("a key without the admin scope cannot call KeysService", async () => {
    const { secret } = await admin().createKey({ key: { name: "plain", scopes: ["inference"] } });
    await expectCode(c.client(KeysService, secret).listKeys({}), Code.PermissionDenied);
    await expectCode(c.client(KeysService, secret).createKey({ key: { name: "x", scopes: ["admin"] } }), Code.PermissionDenied);
    await expectCode(c.client(KeysService).listKeys({}), Code.Unauthenticated);
  });
});

describe("teams and spend", () => {
  it("a request is charged to its key's budget and its team's; reports by key and team reconcile", async () => {
    await admin().createTeam({ team: { name: "research", budget: { tokens: 1_000_000n, period: BudgetPeriod.DAILY } } });
    const a = await admin().createKey({ key: { name: "r-a", team: "research", scopes: ["inference"], budget: { tokens: 100_000n, period: BudgetPeriod.DAILY } } });
    const b = await admin().createKey({ key: { name: "r-b", team: "research", scopes: ["inference"] } });
    for (const s of [a.secret, a.secret, b.secret]) await infer(s);
    const budget = c.client(BudgetService, ADMIN_KEY);
    const team = await budget.getPool({ name: "team:research" });
    const own = await budget.getPool({ name: `key:${a.key!.id}` });
    expect(own.pool?.usedTokens).toBeGreaterThan(0n);
    expect(team.pool?.usedTokens).toBeGreaterThan(own.pool!.usedTokens);
    await vi.waitFor(async () => {
      const byKey = await budget.getUsageReport({ groupBy: UsageGroupBy.KEY });
      const byTeam = await budget.getUsageReport({ groupBy: UsageGroupBy.TEAM });
      const sum = (rows: typeof byKey.rows, f: "requests" | "inputTokens" | "costUsdMicros") => rows.reduce((s, r) => s + r[f], 0n);
      for (const f of ["requests", "inputTokens", "costUsdMicros"] as const) {
        expect(sum(byKey.rows, f)).toBe(byKey.total![f]);
        expect(sum(byTeam.rows, f)).toBe(byKey.total![f]);
      }
      expect(byTeam.rows.find((r) => r.group === "research")?.requests).toBe(3n);
      expect(byKey.rows.find((r) => r.group === a.key!.id)?.requests).toBe(2n);
    });
  });

  it("a key without a budgets scope reads its own usage only", async () => {
    const { key, secret } = await admin().createKey({ key: { name: "self-reader", scopes: ["inference"] } });
    await infer(secret);
    const own = await c.client(BudgetService, secret).getUsageReport({ groupBy: UsageGroupBy.KEY });
    expect(own.rows.map((r) => r.group)).toEqual([key!.id]);
    expect(own.total?.requests).toBe(1n);
    await expectCode(c.client(BudgetService, secret).getUsageReport({ groupBy: UsageGroupBy.KEY, keyId: "root" }), Code.PermissionDenied);
  });

  it("a key's budget can be a named pool: it must exist, and the key's requests are charged to it", async () => {
    await expectCode(admin().createKey({ key: { name: "pooled", scopes: ["inference"], budget: { pool: "shared-pool" } } }), Code.InvalidArgument, "key.budget.pool", '"shared-pool"');
    await expectCode(
      admin().createKey({ key: { name: "pooled", scopes: ["inference"], budget: { pool: "shared-pool", tokens: 5n } } }),
      Code.InvalidArgument,
      "key.budget.pool",
      "not both",
    );
    const budget = c.client(BudgetService, ADMIN_KEY);
    await budget.createPool({ pool: { name: "shared-pool", capacityTokens: 100_000n, period: BudgetPeriod.DAILY } });
    const { key, secret } = await admin().createKey({ key: { name: "pooled", scopes: ["inference"], budget: { pool: "shared-pool" } } });
    expect(key?.budgetPool).toBe("shared-pool");
    await infer(secret);
    // Settled just after the answer: wait for the charge, then the key reads its own usage in that pool.
    await vi.waitFor(async () => {
      const pool = (await budget.getPool({ name: "shared-pool" })).pool!;
      expect(pool.usedTokens).toBeGreaterThan(0n);
      expect(pool.reservedTokens).toBe(0n);
      const own = await c.client(BudgetService, secret).getUsageReport({ groupBy: UsageGroupBy.POOL });
      expect(own.rows.map((r) => [r.group, r.requests])).toEqual([["shared-pool", 1n]]);
    });
  });

  it("a team's rpm is shared by its keys", async () => {
    await admin().createTeam({ team: { name: "small", limits: { rpm: 3 } } });
    const a = await admin().createKey({ key: { name: "small-a", team: "small", scopes: ["inference"] } });
    const b = await admin().createKey({ key: { name: "small-b", team: "small", scopes: ["inference"] } });
    await infer(a.secret);
    await infer(a.secret);
    await infer(b.secret);
    await expectCode(infer(b.secret), Code.ResourceExhausted);
    await expectCode(infer(a.secret), Code.ResourceExhausted);
  });

  it("a team with keys cannot be deleted; an unknown team is NotFound", async () => {
    await expectCode(admin().deleteTeam({ name: "research" }), Code.FailedPrecondition, "research");
    await expectCode(admin().getTeam({ name: "nobody" }), Code.NotFound, "nobody");
    await expectCode(admin().createTeam({ team: { name: "research" } }), Code.AlreadyExists, "team.name");
  });
});
