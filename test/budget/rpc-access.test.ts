// BudgetService with a caller that may use only some pools (rpc/budget.ts + auth/budget-access.ts's
// BudgetCaller), in process: what a restricted caller sees, reserves, commits and releases.
import { create } from "@bufbuild/protobuf";
import { Code, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { BudgetService, UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { cappedUsage, type BudgetCaller } from "../../server/auth/budget-access.js";
import { createBudgetService } from "../../server/rpc/budget.js";
import { setup } from "./helpers.js";
import { expectError } from "./rpc-helpers.js";

const TEAM_A: BudgetCaller = { keyId: "app", unrestricted: false, readsBudgets: true, mayUse: (p) => p === "team-a" };
const ADMIN: BudgetCaller = { keyId: "root", unrestricted: true, readsBudgets: true, mayUse: () => true };

async function world() {
  const { ledger, store } = setup();
  for (const name of ["team-a", "team-b"]) await ledger.createPool(name, { capacityTokens: 1000, period: "none" });
  let caller: BudgetCaller = TEAM_A;
  const warnings: Record<string, unknown>[] = [];
  const transport = createRouterTransport((router) => {
    router.service(BudgetService, createBudgetService(ledger, {
      caller: () => caller,
      reservation: (id) => store.getReservation(id),
      log: (_level, _msg, fields) => warnings.push(fields),
    }));
  });
  const client = createClient(BudgetService, transport);
  return { ledger, client, warnings, as: (c: BudgetCaller) => (caller = c) };
}

describe("cappedUsage", () => {
  const usage = (inputTokens: number, outputTokens: number, cost: bigint) => create(UsageSchema, { inputTokens, outputTokens, costUsdMicros: cost, provider: "p" });
  it("keeps usage within the reservation as it is", () => {
    expect(cappedUsage(usage(3, 4, 5n), { tokens: 7, usdMicros: 5 })).toMatchObject({ capped: false, usage: { inputTokens: 3, outputTokens: 4, costUsdMicros: 5n } });
  });
  it("cuts output first, then input, and the cost", () => {
    expect(cappedUsage(usage(3, 10, 5n), { tokens: 7, usdMicros: 5 })).toMatchObject({ capped: true, usage: { inputTokens: 3, outputTokens: 4 } });
    expect(cappedUsage(usage(5_000_000, 7, 0n), { tokens: 1, usdMicros: 0 })).toMatchObject({ capped: true, usage: { inputTokens: 1, outputTokens: 0 } });
    expect(cappedUsage(usage(1, 0, 999n), { tokens: 1, usdMicros: 10 })).toMatchObject({ capped: true, usage: { costUsdMicros: 10n } });
  });
});

describe("BudgetService for a caller granted team-a", () => {
  it("lists and reads only team-a; team-b and unknown pools are one denial", async () => {
    const { client, as } = await world();
    expect((await client.listPools({})).pools.map((p) => p.name)).toEqual(["team-a"]);
    expect((await client.getPool({ name: "team-a" })).pool?.name).toBe("team-a");
    await expectError(client.getPool({ name: "team-b" }), Code.PermissionDenied, 'API key "app" may not use budget pool "team-b"');
    await expectError(client.getPool({ name: "zzz" }), Code.PermissionDenied, 'API key "app" may not use budget pool "zzz"');
    as(ADMIN);
    expect((await client.listPools({})).pools.map((p) => p.name)).toEqual(["team-a", "team-b"]);
    await expectError(client.getPool({ name: "zzz" }), Code.NotFound, 'budget pool "zzz" not found');
  });

  it("reserves in team-a only; commits capped at the reservation with the key recorded; admin uncapped", async () => {
    const { client, ledger, warnings, as } = await world();
    await expectError(client.reserve({ pool: "team-b", tokens: 10n }), Code.PermissionDenied, 'API key "app" may not use budget pool "team-b"');
    const r = await client.reserve({ pool: "team-a", tokens: 10n });
    const done = await client.commit({ reservationId: r.reservationId, usage: { inputTokens: 500, outputTokens: 5, provider: "made-up", model: "m" } });
    expect(done.pool?.usedTokens).toBe(10n);
    expect(warnings).toEqual([{ key: "app", reservation_id: r.reservationId, reserved_tokens: 10, asked_tokens: 505 }]);
    const byKey = await ledger.report({ pool: "team-a", groupBy: "key" });
    expect(byKey.rows).toMatchObject([{ group: "app", inputTokens: 10, outputTokens: 0 }]);
    const byModel = await ledger.report({ pool: "team-a", groupBy: "model" });
    expect(byModel.rows.map((row) => row.group)).toEqual(["m"]);

    as(ADMIN);
    const big = await client.reserve({ pool: "team-b", tokens: 1n });
    expect((await client.commit({ reservationId: big.reservationId, usage: { inputTokens: 500 } })).pool?.usedTokens).toBe(500n);
    expect((await ledger.report({ pool: "team-b", groupBy: "key" })).rows).toMatchObject([{ group: "root", inputTokens: 500 }]);
  });

  it("another pool's reservation is neither committed nor released; an unknown id is NotFound", async () => {
    const { client, as } = await world();
    as(ADMIN);
    const theirs = await client.reserve({ pool: "team-b", tokens: 10n });
    as(TEAM_A);
    const msg = `API key "app" may not commit reservation "${theirs.reservationId}": its budget pool is not one this key may use`;
    await expectError(client.commit({ reservationId: theirs.reservationId, usage: { inputTokens: 1 } }), Code.PermissionDenied, msg);
    await expectError(client.release({ reservationId: theirs.reservationId }), Code.PermissionDenied, msg.replace("commit", "release"));
    await expectError(client.release({ reservationId: "nope" }), Code.NotFound, 'reservation "nope" not found');
    as(ADMIN);
    expect((await client.release({ reservationId: theirs.reservationId })).pool?.reservedTokens).toBe(0n);
  });

  it("a usage report without a pool sums only the caller's pools", async () => {
    const { client, ledger, as } = await world();
    as(ADMIN);
    for (const pool of ["team-a", "team-b", "team-a"]) {
      const r = await client.reserve({ pool, tokens: 100n });
      await client.commit({ reservationId: r.reservationId, usage: { inputTokens: 7, outputTokens: 3, model: pool === "team-a" ? "ma" : "mb" } });
    }
    as(TEAM_A);
    const report = await client.getUsageReport({ groupBy: UsageGroupBy.MODEL });
    expect(report.rows.map((r) => [r.group, r.requests, r.inputTokens])).toEqual([["ma", 2n, 14n]]);
    expect(report.total).toMatchObject({ requests: 2n, inputTokens: 14n, outputTokens: 6n });
    await expectError(client.getUsageReport({ pool: "team-b" }), Code.PermissionDenied, 'API key "app" may not use budget pool "team-b"');
    expect((await ledger.report({ groupBy: "pool" })).total.requests).toBe(3);
  });
});
