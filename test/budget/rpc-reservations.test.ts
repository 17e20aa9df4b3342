import { Code } from "@connectrpc/connect";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";

import { T0 } from "./helpers.js";
import { expectError, NAME_RULE, rpcSetup } from "./rpc-helpers.js";

async function withPool(capacityTokens = 1000n) {
  const s = rpcSetup();
  await s.client.createPool({ pool: { name: "team-a", capacityTokens } });
  return s;
}

describe("BudgetService reservations over Connect", () => {
  it("Reserve holds the estimate with the default or the given TTL", async () => {
    const { client } = await withPool();
    const r = await client.reserve({ pool: "team-a", tokens: 300n });
    expect(r.reservationId).not.toBe("");
    expect(r.expiresAt).toEqual(timestampFromMs(T0 + 600_000));
    expect(r.pool).toMatchObject({ name: "team-a", reservedTokens: 300n, usedTokens: 0n });
    const day = await client.reserve({ pool: "team-a", tokens: 1n, ttlSeconds: 86_400 });
    expect(day.expiresAt).toEqual(timestampFromMs(T0 + 86_400_000));
  });

  it("Reserve answers RESOURCE_EXHAUSTED naming the pool, what is available and what is needed", async () => {
    const { client } = await withPool();
    await client.reserve({ pool: "team-a", tokens: 880n });
    await expectError(
      client.reserve({ pool: "team-a", tokens: 500n }),
      Code.ResourceExhausted,
      'budget pool "team-a" has 120 tokens available, request needs 500',
    );
  });

  it("Reserve rejects bad input with exact codes and messages", async () => {
    const { client } = await withPool();
    const cases: [Parameters<typeof client.reserve>[0], Code, string][] = [
      [{ pool: "", tokens: 1n }, Code.InvalidArgument, `pool: "" ${NAME_RULE}`],
      [{ pool: "Team_A", tokens: 1n }, Code.InvalidArgument, `pool: "Team_A" ${NAME_RULE}`],
      [{ pool: "team-a", tokens: -1n }, Code.InvalidArgument, "tokens: -1 is negative; must be 0 or more"],
      [{ pool: "team-a", tokens: 1n, usdMicros: -7n }, Code.InvalidArgument, "usd_micros: -7 is negative; must be 0 or more"],
      [
        { pool: "team-a" },
        Code.InvalidArgument,
        "tokens: 0 tokens and 0 usd_micros reserves nothing; set tokens or usd_micros above 0",
      ],
      [
        { pool: "team-a", tokens: 1n, ttlSeconds: 86_401 },
        Code.InvalidArgument,
        "ttl_seconds: 86401 is too long; must be at most 86400 (one day), or 0 for the default",
      ],
      [{ pool: "ghost", tokens: 1n }, Code.NotFound, 'budget pool "ghost" not found'],
    ];
    for (const [req, code, message] of cases) await expectError(client.reserve(req), code, message);
    expect((await client.getPool({ name: "team-a" })).pool?.reservedTokens).toBe(0n);
  });

  it("Commit charges the actual usage, more or less than the hold", async () => {
    const { client } = await withPool();
    const small = await client.reserve({ pool: "team-a", tokens: 500n });
    const c1 = await client.commit({
      reservationId: small.reservationId,
      usage: { inputTokens: 100, outputTokens: 50, cachedInputTokens: 30, costUsdMicros: 12n, provider: "openai" },
    });
    expect(c1.pool).toMatchObject({ usedTokens: 150n, reservedTokens: 0n, usedUsdMicros: 12n });
    const big = await client.reserve({ pool: "team-a", tokens: 10n });
    const c2 = await client.commit({ reservationId: big.reservationId, usage: { inputTokens: 900, outputTokens: 100 } });
    expect(c2.pool).toMatchObject({ usedTokens: 1150n, reservedTokens: 0n });
  });

  it("Commit and Release reject bad, unknown, repeated and expired reservations", async () => {
    const { client, clock } = await withPool();
    const a = await client.reserve({ pool: "team-a", tokens: 10n });
    const b = await client.reserve({ pool: "team-a", tokens: 10n, ttlSeconds: 60 });
    await client.commit({ reservationId: a.reservationId, usage: { inputTokens: 1 } });
    const id = (s: string) => JSON.stringify(s);
    await expectError(client.commit({ reservationId: a.reservationId }), Code.InvalidArgument, "usage: required, but not set");
    await expectError(client.commit({ usage: {} }), Code.InvalidArgument, 'reservation_id: "" is not allowed; a reservation id is required');
    await expectError(client.release({}), Code.InvalidArgument, 'reservation_id: "" is not allowed; a reservation id is required');
    await expectError(
      client.commit({ reservationId: b.reservationId, usage: { costUsdMicros: -1n } }),
      Code.InvalidArgument,
      "usage.cost_usd_micros: -1 is negative; must be 0 or more",
    );
    await expectError(client.commit({ reservationId: "nope", usage: {} }), Code.NotFound, 'reservation "nope" not found');
    await expectError(client.release({ reservationId: "nope" }), Code.NotFound, 'reservation "nope" not found');
    await expectError(
      client.commit({ reservationId: a.reservationId, usage: {} }),
      Code.FailedPrecondition,
      `reservation ${id(a.reservationId)} was already committed with 1 tokens and 0 usd_micros; a repeated commit must carry the same usage (this one has 0 tokens and 0 usd_micros)`,
    );
    // The same commit again (a client retrying after a lost reply): the first result, nothing charged twice.
    const again = await client.commit({ reservationId: a.reservationId, usage: { inputTokens: 1 } });
    expect(again.alreadyCommitted).toBe(true);
    expect(again.pool?.usedTokens).toBe(1n);
    await expectError(
      client.release({ reservationId: a.reservationId }),
      Code.FailedPrecondition,
      `reservation ${id(a.reservationId)} was already committed`,
    );
    clock.advance(60_000);
    await expectError(
      client.commit({ reservationId: b.reservationId, usage: { inputTokens: 5 } }),
      Code.NotFound,
      `reservation ${id(b.reservationId)} not found: it expired at 2025-01-15T12:01:00.000Z and its hold was released`,
    );
    expect((await client.getPool({ name: "team-a" })).pool).toMatchObject({ usedTokens: 1n, reservedTokens: 0n });
  });

  it("Release gives the hold back once; a second release is FAILED_PRECONDITION", async () => {
    const { client } = await withPool(100n);
    const r = await client.reserve({ pool: "team-a", tokens: 100n });
    expect((await client.release({ reservationId: r.reservationId })).pool).toMatchObject({ reservedTokens: 0n, usedTokens: 0n });
    await expectError(
      client.release({ reservationId: r.reservationId }),
      Code.FailedPrecondition,
      `reservation ${JSON.stringify(r.reservationId)} was already released`,
    );
    await expectError(
      client.commit({ reservationId: r.reservationId, usage: {} }),
      Code.FailedPrecondition,
      `reservation ${JSON.stringify(r.reservationId)} was already released`,
    );
    expect((await client.reserve({ pool: "team-a", tokens: 100n })).pool?.reservedTokens).toBe(100n);
  });
});
