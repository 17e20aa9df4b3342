import { Code } from "@connectrpc/connect";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";

import { UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { expectError, NAME_RULE, rpcSetup } from "./rpc-helpers.js";

const at = (iso: string): number => Date.parse(iso);

async function seeded() {
  const s = rpcSetup();
  const { client, clock } = s;
  await client.createPool({ pool: { name: "a", capacityTokens: 1_000_000n } });
  await client.createPool({ pool: { name: "b", capacityUsdMicros: 1_000_000n } });
  const spend = async (pool: string, usage: Parameters<typeof client.commit>[0]["usage"]) => {
    const r = await client.reserve({ pool, tokens: 1n, usdMicros: 1n });
    await client.commit({ reservationId: r.reservationId, usage });
  };
  await spend("a", { inputTokens: 100, cachedInputTokens: 40, outputTokens: 20, reasoningTokens: 5, costUsdMicros: 300n, provider: "openai" });
  clock.set(at("2025-01-16T08:00:00Z"));
  await spend("b", { inputTokens: 10, outputTokens: 1, audioTokens: 7, costUsdMicros: 50n, provider: "anthropic", cacheHit: true });
  return s;
}

describe("BudgetService GetUsageReport over Connect", () => {
  it("groups by pool (also when unspecified) with a total", async () => {
    const { client } = await seeded();
    for (const groupBy of [UsageGroupBy.POOL, UsageGroupBy.UNSPECIFIED]) {
      const r = await client.getUsageReport({ groupBy });
      expect(r.rows.map((row) => [row.group, row.requests, row.inputTokens, row.costUsdMicros, row.cacheHits])).toEqual([
        ["a", 1n, 100n, 300n, 0n],
        ["b", 1n, 10n, 50n, 1n],
      ]);
      expect(r.total).toMatchObject({
        group: "",
        requests: 2n,
        inputTokens: 110n,
        cachedInputTokens: 40n,
        outputTokens: 21n,
        reasoningTokens: 5n,
        audioTokens: 7n,
        costUsdMicros: 350n,
        cacheHits: 1n,
      });
    }
  });

  it("groups by provider, model, key and day; filters by pool and time range", async () => {
    const { client } = await seeded();
    const groups = async (req: Parameters<typeof client.getUsageReport>[0]) =>
      (await client.getUsageReport(req)).rows.map((r) => r.group);
    expect(await groups({ groupBy: UsageGroupBy.PROVIDER })).toEqual(["anthropic", "openai"]);
    expect(await groups({ groupBy: UsageGroupBy.MODEL })).toEqual(["(unknown)"]); // CommitRequest carries no model
    expect(await groups({ groupBy: UsageGroupBy.KEY })).toEqual(["(unknown)"]);
    expect(await groups({ groupBy: UsageGroupBy.DAY })).toEqual(["2025-01-15", "2025-01-16"]);
    expect(await groups({ groupBy: UsageGroupBy.DAY, pool: "b" })).toEqual(["2025-01-16"]);
    expect(
      await groups({
        groupBy: UsageGroupBy.DAY,
        startTime: timestampFromMs(at("2025-01-15T00:00:00Z")),
        endTime: timestampFromMs(at("2025-01-16T08:00:00Z")),
      }),
    ).toEqual(["2025-01-15"]);
    expect(await groups({ groupBy: UsageGroupBy.DAY, startTime: timestampFromMs(at("2025-01-16T00:00:00Z")) })).toEqual([
      "2025-01-16",
    ]);
  });

  it("rejects a bad group_by, pool name, unknown pool and backwards range", async () => {
    const { client } = await seeded();
    await expectError(
      client.getUsageReport({ groupBy: 42 as UsageGroupBy }),
      Code.InvalidArgument,
      "group_by: 42 is not one of: USAGE_GROUP_BY_UNSPECIFIED, USAGE_GROUP_BY_POOL, USAGE_GROUP_BY_MODEL, USAGE_GROUP_BY_PROVIDER, USAGE_GROUP_BY_KEY, USAGE_GROUP_BY_DAY, USAGE_GROUP_BY_TEAM",
    );
    await expectError(client.getUsageReport({ pool: "B" }), Code.InvalidArgument, `pool: "B" ${NAME_RULE}`);
    await expectError(client.getUsageReport({ pool: "zz" }), Code.NotFound, 'budget pool "zz" not found');
    await expectError(
      client.getUsageReport({
        startTime: timestampFromMs(at("2025-01-16T00:00:00Z")),
        endTime: timestampFromMs(at("2025-01-15T00:00:00Z")),
      }),
      Code.InvalidArgument,
      "start_time: 2025-01-16T00:00:00.000Z is after end_time 2025-01-15T00:00:00.000Z; the range must not run backwards",
    );
  });

  it("ListPools shows balances after commits", async () => {
    const { client } = await seeded();
    const pools = (await client.listPools({})).pools;
    expect(pools.map((p) => [p.name, p.usedTokens, p.usedUsdMicros, p.reservedTokens])).toEqual([
      ["a", 120n, 300n, 0n],
      ["b", 11n, 50n, 0n],
    ]);
  });
});
