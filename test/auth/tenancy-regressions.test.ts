// Regression tests of issue #15, each as it was found with two tenants (`limited`: models
// ["mock-*"], pool team-a; `other`: every model, pool team-b) against a real `hoosh serve`:
// the fallback bypass, the pool hijack (request fields, header, BudgetService), the forged
// commit, the cache probe and the cache poisoning (exact and semantic), the REST model
// listings, and the request-id rule on every edge.
import { readFile } from "node:fs/promises";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { BudgetService, UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ask, EDGES, startTenancy, TENANT_KEYS, type TenantKey, useTenancy } from "./tenancy-helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const world = useTenancy();

const as = (key: TenantKey) => ({ authorization: `Bearer ${TENANT_KEYS[key]}` });
const user = (text: string) => [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }];

async function rpcError(p: Promise<unknown>): Promise<ConnectError> {
  const err = await p.then(() => undefined, (e: unknown) => ConnectError.from(e));
  expect(err, "expected the call to fail").toBeInstanceOf(ConnectError);
  return err!;
}

async function upstreamModels(): Promise<string[]> {
  return (await world.fake.events()).flatMap((e) => (e.type === "request" && e.model ? [e.model] : []));
}

describe("fallback bypass: every model a request reaches is authorized", () => {
  it("Generate, GenerateStream, Embed and POST /hoosh/v1/generate refuse a fallback outside the key's models", async () => {
    await world.fake.reset();
    const inference = createClient(InferenceService, world.t.transports.grpc);
    const routing = { provider: "premium", fallbackModels: ["premium-big"] };
    const unary = await rpcError(inference.generate({ model: "mock-cheap", messages: user("hi"), routing }, { headers: as("limited") }));
    expect(unary.code).toBe(Code.PermissionDenied);
    expect(unary.rawMessage).toBe('API key "limited" may not use model "premium-big"');
    const stream = await rpcError((async () => {
      for await (const _ of inference.generateStream({ model: "mock-cheap", messages: user("hi"), routing }, { headers: as("limited") })) void _;
    })());
    expect(stream.code).toBe(Code.PermissionDenied);
    const embed = await rpcError(inference.embed({ model: "mock-cheap", inputs: ["x"], routing: { fallbackModels: ["premium-big"] } }, { headers: as("limited") }));
    expect(embed.code).toBe(Code.PermissionDenied);
    const rest = await fetch(`${world.t.url}/hoosh/v1/generate`, {
      method: "POST",
      headers: { ...as("limited"), "content-type": "application/json" },
      body: JSON.stringify({ model: "mock-cheap", messages: [{ role: "ROLE_USER", content: [{ text: "hi" }] }], routing: { provider: "premium", fallbackModels: ["premium-big"] } }),
    });
    expect(rest.status).toBe(403);
    // An alias reaching a model outside the key's globs is refused the same way.
    const alias = await rpcError(inference.generate({ model: "cheap-or-premium", messages: user("hi") }, { headers: as("limited") }));
    expect(alias.rawMessage).toBe('API key "limited" may not use model "premium-big" (alias "cheap-or-premium" stands for it)');
    expect(await upstreamModels()).not.toContain("premium-big");
    // The same request is served for a key allowed both.
    const ok = await inference.generate({ model: "mock-cheap", messages: user("hi"), routing: { fallbackModels: ["premium-big"] } }, { headers: as("other") });
    expect(ok.model).toBe("mock-cheap");
  });
});

describe("pool hijack: a key uses only the pools it is granted", () => {
  it("budget_pool, metadata.budget_pool and x-hoosh-budget-pool naming another tenant's pool are refused, listing nothing", async () => {
    const inference = createClient(InferenceService, world.t.transports.grpc);
    const field = await rpcError(inference.generate({ model: "mock-cheap", messages: user("hi"), budgetPool: "team-b" }, { headers: as("limited") }));
    const metadata = await rpcError(inference.generate({ model: "mock-cheap", messages: user("hi"), metadata: { budget_pool: "team-b" } }, { headers: as("limited") }));
    const header = await rpcError(inference.generate({ model: "mock-cheap", messages: user("hi") }, { headers: { ...as("limited"), "x-hoosh-budget-pool": "team-b" } }));
    for (const err of [field, metadata, header]) {
      expect(err.code).toBe(Code.PermissionDenied);
      expect(err.rawMessage).toBe('API key "limited" may not use budget pool "team-b"');
    }
    const unknown = await rpcError(inference.generate({ model: "mock-cheap", messages: user("hi"), budgetPool: "nope" }, { headers: as("limited") }));
    expect(unknown.code).toBe(Code.PermissionDenied);
    expect(unknown.rawMessage).toBe('API key "limited" may not use budget pool "nope"');
    const rest = await fetch(`${world.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...as("limited"), "content-type": "application/json", "x-hoosh-budget-pool": "team-b" },
      body: JSON.stringify({ model: "mock-cheap", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(rest.status).toBe(403);
    const restMeta = await fetch(`${world.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...as("limited"), "content-type": "application/json" },
      body: JSON.stringify({ model: "mock-cheap", messages: [{ role: "user", content: "hi" }], metadata: { budget_pool: "team-b" } }),
    });
    expect(restMeta.status).toBe(403);
  });

  it("BudgetService: Reserve needs budgets:write and a granted pool; reads show only granted pools", async () => {
    const budget = createClient(BudgetService, world.t.transports.grpc);
    const hijack = { pool: "team-b", tokens: 99000n, ttlSeconds: 86400 };
    expect((await rpcError(budget.reserve(hijack, { headers: as("limited") }))).code).toBe(Code.PermissionDenied);
    const writer = await rpcError(budget.reserve(hijack, { headers: as("writer") }));
    expect(writer.code).toBe(Code.PermissionDenied);
    expect(writer.rawMessage).toBe('API key "writer" may not use budget pool "team-b"');
    const unknown = await rpcError(budget.reserve({ ...hijack, pool: "nope" }, { headers: as("writer") }));
    expect(unknown.rawMessage).toBe('API key "writer" may not use budget pool "nope"');
    // team-b's owner is not locked out, and team-b's figures are not shown to team-a.
    const own = await budget.reserve({ pool: "team-b", tokens: 10n }, { headers: as("writerB") });
    expect(own.pool?.name).toBe("team-b");
    await budget.release({ reservationId: own.reservationId }, { headers: as("writerB") });
    expect((await rpcError(budget.getPool({ name: "team-b" }, { headers: as("writer") }))).code).toBe(Code.PermissionDenied);
    expect((await rpcError(budget.getPool({ name: "nope" }, { headers: as("writer") }))).rawMessage).toBe('API key "writer" may not use budget pool "nope"');
    expect((await budget.listPools({}, { headers: as("reader") })).pools.map((p) => p.name)).toEqual(["team-a"]);
    expect((await budget.listPools({}, { headers: as("writer") })).pools.map((p) => p.name)).toEqual(["team-a"]);
    expect((await budget.listPools({}, { headers: as("admin") })).pools.map((p) => p.name)).toEqual(["team-a", "team-b"]);
    const report = await budget.getUsageReport({ groupBy: UsageGroupBy.POOL }, { headers: as("reader") });
    expect(report.rows.every((r) => r.group === "team-a")).toBe(true);
    expect((await rpcError(budget.getUsageReport({ pool: "team-b" }, { headers: as("reader") }))).code).toBe(Code.PermissionDenied);
    // Changing limits stays admin-only.
    expect((await rpcError(budget.updatePool({ pool: { name: "team-a", capacityTokens: 10n ** 12n }, updateMask: { paths: ["capacity_tokens"] } }, { headers: as("writer") }))).code).toBe(Code.PermissionDenied);
  });
});

describe("forged commit", () => {
  it("a commit counts at most its reservation, records the key that made it, and needs the reservation's pool", async () => {
    const budget = createClient(BudgetService, world.t.transports.grpc);
    const admin = as("admin");
    const usedBefore = (await budget.getPool({ name: "team-a" }, { headers: admin })).pool!.usedTokens;
    const r = await budget.reserve({ pool: "team-a", tokens: 1n }, { headers: as("writer") });
    const forged = { inputTokens: 5_000_000, outputTokens: 7, provider: "made-up", costUsdMicros: 999_999n, model: "mock-cheap" };
    await budget.commit({ reservationId: r.reservationId, usage: forged }, { headers: as("writer") });
    const usedAfter = (await budget.getPool({ name: "team-a" }, { headers: admin })).pool!.usedTokens;
    expect(usedAfter - usedBefore).toBe(1n);
    const byKey = await budget.getUsageReport({ pool: "team-a", groupBy: UsageGroupBy.KEY }, { headers: admin });
    expect(byKey.rows.map((row) => row.group)).toContain("writer");
    expect(byKey.rows.map((row) => row.group)).not.toContain("(unknown)");
    const row = byKey.rows.find((x) => x.group === "writer")!;
    expect(row.inputTokens + row.outputTokens).toBeLessThanOrEqual(1n);
    expect(row.costUsdMicros).toBe(0n);
    // The audit log names the key, not "system".
    await expect.poll(async () => (await readFile(world.t.auditPath, "utf8")).includes(`"reservation_id":"${r.reservationId}"`)).toBe(true);
    const entry = (await readFile(world.t.auditPath, "utf8")).trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.details?.reservation_id === r.reservationId);
    expect(entry).toMatchObject({ actor: "key:writer", action: "budget.commit", details: { input_tokens: 1, output_tokens: 0 } });

    // Another tenant's reservation: neither committed nor released by this key.
    const theirs = await budget.reserve({ pool: "team-b", tokens: 100n }, { headers: as("writerB") });
    const commit = await rpcError(budget.commit({ reservationId: theirs.reservationId, usage: forged }, { headers: as("writer") }));
    expect(commit.code).toBe(Code.PermissionDenied);
    expect(commit.rawMessage).not.toContain("team-b");
    expect((await rpcError(budget.release({ reservationId: theirs.reservationId }, { headers: as("writer") }))).code).toBe(Code.PermissionDenied);
    await budget.release({ reservationId: theirs.reservationId }, { headers: as("writerB") });

    // An admin may commit past the reservation (a service whose estimate fell short).
    const big = await budget.reserve({ pool: "team-a", tokens: 1n }, { headers: admin });
    const before = (await budget.getPool({ name: "team-a" }, { headers: admin })).pool!.usedTokens;
    const after = (await budget.commit({ reservationId: big.reservationId, usage: { inputTokens: 5000, outputTokens: 0 } }, { headers: admin })).pool!.usedTokens;
    expect(after - before).toBe(5000n);
  });
});

describe("caches: shared only inside the [cache] scope (default team), never across a fallback", () => {
  it("cache probe: another team's prompt is a miss; a key of the same team shares the answer", async () => {
    for (const edge of ["rest", "grpc"] as const) {
      const text = `probe over ${edge}: what did team b ask?`;
      const first = await ask(world.t, edge, { key: "other", model: "mock-cheap", text, temperature: 0 });
      expect(first.outcome).toBe("ok");
      const probe = await ask(world.t, edge, { key: "limited", model: "mock-cheap", text, temperature: 0 });
      expect(probe).toMatchObject({ outcome: "ok", cacheHit: false });
      const team = await ask(world.t, edge, { key: "limited2", model: "mock-cheap", text, temperature: 0 });
      expect(team).toMatchObject({ outcome: "ok", cacheHit: true, text: probe.text });
    }
  });

  it("poisoning: an answer a fallback gave is never handed to a request without that fallback", async () => {
    const text = "poison: which model answers?";
    const viaFallback = await ask(world.t, "grpc", { key: "limited2", model: "mock-down", fallbacks: ["premium-big"], text, temperature: 0 });
    expect(viaFallback).toMatchObject({ outcome: "ok", model: "premium-big" });
    const again = await ask(world.t, "grpc", { key: "limited2", model: "mock-down", fallbacks: ["premium-big"], text, temperature: 0 });
    expect(again).toMatchObject({ outcome: "ok", cacheHit: true });
    // Same team, same prompt, no fallback: mock-down itself answers (here: it is down), never premium-big's answer.
    for (const key of ["limited", "limited2"] as const) {
      const plain = await ask(world.t, "grpc", { key, model: "mock-down", text, temperature: 0 });
      expect(plain.outcome).toBe(Code.Unavailable);
    }
  });

  it("the semantic cache never crosses the scope", async () => {
    const first = await ask(world.t, "grpc", { key: "other", model: "mock-cheap", text: "What is the capital of Portugal?", temperature: 0 });
    expect(first.outcome).toBe("ok");
    const rephrased = await ask(world.t, "grpc", { key: "limited", model: "mock-cheap", text: "what is the capital of portugal", temperature: 0 });
    expect(rephrased).toMatchObject({ outcome: "ok", cacheHit: false });
    const sameTeam = await ask(world.t, "grpc", { key: "limited2", model: "mock-cheap", text: "WHAT is the capital of Portugal", temperature: 0 });
    expect(sameTeam).toMatchObject({ outcome: "ok", cacheHit: true, text: rephrased.text });
  });
});

describe("REST model listings and the request-id rule", () => {
  it("/v1/models and /v1/models/{id} show a key only its models, as ListModels does", async () => {
    const list = async (key: TenantKey) => ((await (await fetch(`${world.t.url}/v1/models`, { headers: as(key) })).json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(await list("limited")).toEqual(["mock-cheap", "mock-down"]);
    expect(await list("other")).toEqual(expect.arrayContaining(["fake-words-embedding", "mock-cheap", "mock-down", "premium-big"]));
    const denied = await fetch(`${world.t.url}/v1/models/premium-big`, { headers: as("limited") });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toBe('API key "limited" may not use model "premium-big"');
    expect((await fetch(`${world.t.url}/v1/models/premium-big`, { headers: as("other") })).status).toBe(200);
    expect((await fetch(`${world.t.url}/v1/models/mock-cheap`, { headers: as("limited") })).status).toBe(200);
  });

  it.each(EDGES)("%s: a valid x-request-id is echoed; a long or non-ASCII one is replaced", async (edge) => {
    const good = await ask(world.t, edge, { key: "other", model: "mock-cheap", headers: { "x-request-id": "req-abc_123" } });
    expect(good.requestId).toBe("req-abc_123");
    for (const bad of ["x".repeat(12_000), "caf\u00e9-id", "two words"]) {
      const res = await ask(world.t, edge, { key: "other", model: "mock-cheap", headers: { "x-request-id": bad } });
      expect(res.requestId).toBeTruthy();
      expect(res.requestId).not.toBe(bad);
      expect(res.requestId!.length).toBeLessThanOrEqual(128);
    }
  });
});
