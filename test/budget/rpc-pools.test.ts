import { Code, ConnectError } from "@connectrpc/connect";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";

import { BudgetPeriod } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { T0 } from "./helpers.js";
import { expectError, NAME_RULE, rpcSetup } from "./rpc-helpers.js";

const ALLOWED_PATHS = "allowed paths: capacity_tokens, capacity_usd_micros, period";

describe("BudgetService pools over Connect", () => {
  it("CreatePool, GetPool and ListPools round-trip a pool; balance fields on create are ignored", async () => {
    const { client } = rpcSetup();
    const created = await client.createPool({
      pool: { name: "team-a", capacityTokens: 1000n, period: BudgetPeriod.DAILY, usedTokens: 99n },
    });
    expect(created.pool).toMatchObject({
      name: "team-a",
      capacityTokens: 1000n,
      period: BudgetPeriod.DAILY,
      usedTokens: 0n,
      reservedTokens: 0n,
      periodStart: timestampFromMs(Date.UTC(2025, 0, 15)),
      periodEnd: timestampFromMs(Date.UTC(2025, 0, 16)),
    });
    expect(created.pool?.capacityUsdMicros).toBeUndefined();
    // BUDGET_PERIOD_UNSPECIFIED is taken as NONE, which has no period_end.
    const plain = await client.createPool({ pool: { name: "a.b_c-1", capacityUsdMicros: 5n } });
    expect(plain.pool).toMatchObject({ period: BudgetPeriod.NONE, capacityUsdMicros: 5n, periodStart: timestampFromMs(T0) });
    expect(plain.pool?.periodEnd).toBeUndefined();
    expect((await client.getPool({ name: "team-a" })).pool).toEqual(created.pool);
    expect((await client.listPools({})).pools.map((p) => p.name)).toEqual(["a.b_c-1", "team-a"]);
  });

  it("GetPool: INVALID_ARGUMENT for a bad name, NOT_FOUND for an unknown one", async () => {
    const { client } = rpcSetup();
    await expectError(client.getPool({ name: "" }), Code.InvalidArgument, `name: "" ${NAME_RULE}`);
    await expectError(client.getPool({ name: "Team A" }), Code.InvalidArgument, `name: "Team A" ${NAME_RULE}`);
    await expectError(client.getPool({ name: "-a" }), Code.InvalidArgument, `name: "-a" ${NAME_RULE}`);
    await expectError(client.getPool({ name: "ghost" }), Code.NotFound, 'budget pool "ghost" not found');
  });

  it("CreatePool rejects bad input, naming the field, the value and what is allowed", async () => {
    const { client } = rpcSetup();
    await client.createPool({ pool: { name: "taken", capacityTokens: 1n } });
    const cases: [Parameters<typeof client.createPool>[0], Code, string][] = [
      [{}, Code.InvalidArgument, "pool: required, but not set"],
      [{ pool: { name: "", capacityTokens: 1n } }, Code.InvalidArgument, `pool.name: "" ${NAME_RULE}`],
      [{ pool: { name: "x", capacityTokens: -1n } }, Code.InvalidArgument, "pool.capacity_tokens: -1 is negative; must be 0 or more"],
      [{ pool: { name: "x", capacityUsdMicros: -5n } }, Code.InvalidArgument, "pool.capacity_usd_micros: -5 is negative; must be 0 or more"],
      [
        { pool: { name: "x", capacityTokens: 9223372036854775807n } },
        Code.InvalidArgument,
        "pool.capacity_tokens: 9223372036854775807 is not allowed; must be a whole number up to 9007199254740991",
      ],
      [{ pool: { name: "x" } }, Code.InvalidArgument, "pool: neither capacity_tokens nor capacity_usd_micros is set; set at least one"],
      [
        { pool: { name: "x", capacityTokens: 1n, period: 9 as BudgetPeriod } },
        Code.InvalidArgument,
        "pool.period: 9 is not one of: BUDGET_PERIOD_UNSPECIFIED, BUDGET_PERIOD_NONE, BUDGET_PERIOD_HOURLY, BUDGET_PERIOD_DAILY, BUDGET_PERIOD_MONTHLY",
      ],
      [{ pool: { name: "taken", capacityTokens: 5n } }, Code.AlreadyExists, 'budget pool "taken" already exists'],
      [
        { pool: { name: "key:k-1", capacityTokens: 5n } },
        Code.InvalidArgument,
        `pool.name: "key:k-1" is the pool of an API key's or team's own budget; change that key's or team's budget (KeysService UpdateKey / UpdateTeam)`,
      ],
    ];
    for (const [req, code, message] of cases) await expectError(client.createPool(req), code, message);
    await expectError(
      client.updatePool({ pool: { name: "team:crew", capacityTokens: 5n }, updateMask: { paths: ["capacity_tokens"] } }),
      Code.InvalidArgument,
      `pool.name: "team:crew" is the pool of an API key's or team's own budget; change that key's or team's budget (KeysService UpdateKey / UpdateTeam)`,
    );
    expect((await client.listPools({})).pools.map((p) => p.name)).toEqual(["taken"]);
  });

  it("UpdatePool changes only the masked fields; a masked capacity left unset clears it", async () => {
    const { client } = rpcSetup();
    await client.createPool({ pool: { name: "p", capacityTokens: 100n, capacityUsdMicros: 7n } });
    const tokens = await client.updatePool({
      pool: { name: "p", capacityTokens: 500n, capacityUsdMicros: 1n, period: BudgetPeriod.HOURLY },
      updateMask: { paths: ["capacity_tokens"] },
    });
    expect(tokens.pool).toMatchObject({ capacityTokens: 500n, capacityUsdMicros: 7n, period: BudgetPeriod.NONE });
    const cleared = await client.updatePool({ pool: { name: "p" }, updateMask: { paths: ["capacity_usd_micros"] } });
    expect(cleared.pool?.capacityTokens).toBe(500n);
    expect(cleared.pool?.capacityUsdMicros).toBeUndefined();
    const monthly = await client.updatePool({
      pool: { name: "p", period: BudgetPeriod.MONTHLY },
      updateMask: { paths: ["period"] },
    });
    expect(monthly.pool).toMatchObject({
      period: BudgetPeriod.MONTHLY,
      periodStart: timestampFromMs(Date.UTC(2025, 0, 1)),
      periodEnd: timestampFromMs(Date.UTC(2025, 1, 1)),
    });
  });

  it("UpdatePool rejects bad input with exact codes and messages", async () => {
    const { client } = rpcSetup();
    await client.createPool({ pool: { name: "p", capacityTokens: 100n } });
    const mask = (...paths: string[]) => ({ paths });
    const cases: [Parameters<typeof client.updatePool>[0], Code, string][] = [
      [{ updateMask: mask("period") }, Code.InvalidArgument, "pool: required, but not set"],
      [{ pool: { name: "p" } }, Code.InvalidArgument, `update_mask: no paths given; ${ALLOWED_PATHS}`],
      [{ pool: { name: "p" }, updateMask: mask() }, Code.InvalidArgument, `update_mask: no paths given; ${ALLOWED_PATHS}`],
      [
        { pool: { name: "p", capacityTokens: 1n }, updateMask: mask("capacity_tokens", "name") },
        Code.InvalidArgument,
        `update_mask: "name" is not an updatable field; ${ALLOWED_PATHS}`,
      ],
      [
        { pool: { name: "p" }, updateMask: mask("used_tokens") },
        Code.InvalidArgument,
        `update_mask: "used_tokens" is not an updatable field; ${ALLOWED_PATHS}`,
      ],
      [{ pool: { name: "P" }, updateMask: mask("period") }, Code.InvalidArgument, `pool.name: "P" ${NAME_RULE}`],
      [
        { pool: { name: "p", capacityTokens: -2n }, updateMask: mask("capacity_tokens") },
        Code.InvalidArgument,
        "pool.capacity_tokens: -2 is negative; must be 0 or more",
      ],
      [
        { pool: { name: "p" }, updateMask: mask("capacity_tokens") },
        Code.InvalidArgument,
        'update_mask: the update would leave budget pool "p" with neither capacity_tokens nor capacity_usd_micros; keep at least one',
      ],
      [{ pool: { name: "ghost", capacityTokens: 1n }, updateMask: mask("capacity_tokens") }, Code.NotFound, 'budget pool "ghost" not found'],
    ];
    for (const [req, code, message] of cases) await expectError(client.updatePool(req), code, message);
    expect((await client.getPool({ name: "p" })).pool?.capacityTokens).toBe(100n);
  });

  it("runs the admin guard, when one is given, before CreatePool and UpdatePool only", async () => {
    const calls: string[] = [];
    const { client } = rpcSetup({
      authorizeAdmin: (ctx) => {
        calls.push(ctx.method.name);
        if (ctx.requestHeader.get("x-admin") !== "yes") throw new ConnectError("admin only", Code.PermissionDenied);
      },
    });
    await expectError(client.createPool({ pool: { name: "p", capacityTokens: 1n } }), Code.PermissionDenied, "admin only");
    await client.createPool({ pool: { name: "p", capacityTokens: 1n } }, { headers: { "x-admin": "yes" } });
    await expectError(
      client.updatePool({ pool: { name: "p" }, updateMask: { paths: ["period"] } }),
      Code.PermissionDenied,
      "admin only",
    );
    await client.listPools({});
    await client.getPool({ name: "p" });
    expect(calls).toEqual(["CreatePool", "CreatePool", "UpdatePool"]);
  });
});
