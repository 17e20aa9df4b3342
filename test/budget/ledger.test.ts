import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";

import { BudgetLedger, DEFAULT_RESERVATION_TTL_MS } from "../../server/core/budget/ledger.js";
import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";
import { failure, setup, T0, usage } from "./helpers.js";

describe("BudgetLedger reserve / commit / release", () => {
  it("reserves with the default 10 minute TTL and shows the hold", async () => {
    const { ledger } = setup();
    await ledger.createPool("team-a", { capacityTokens: 1000, period: "none" });
    const r = await ledger.reserve("team-a", { tokens: 300, usdMicros: 0 });
    expect(DEFAULT_RESERVATION_TTL_MS).toBe(600_000);
    expect(r.expiresAt).toBe(T0 + 600_000);
    expect(r.pool).toMatchObject({ name: "team-a", usedTokens: 0, reservedTokens: 300, periodStart: T0 });
    expect(r.pool.periodEnd).toBeUndefined();
    expect((await ledger.reserve("team-a", { tokens: 1, usdMicros: 0 }, 5000)).expiresAt).toBe(T0 + 5000);
  });

  it("answers RESOURCE_EXHAUSTED naming the pool, what is available and what is needed", async () => {
    const { ledger } = setup();
    await ledger.createPool("team-a", { capacityTokens: 1000, period: "none" });
    await ledger.reserve("team-a", { tokens: 880, usdMicros: 0 });
    const err = await failure(ledger.reserve("team-a", { tokens: 500, usdMicros: 0 }));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe('budget pool "team-a" has 120 tokens available, request needs 500');
  });

  it("commits a smaller actual usage: the rest of the hold returns", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 1000, period: "none" });
    const r = await ledger.reserve("p", { tokens: 500, usdMicros: 0 });
    const { pool } = await ledger.commit(r.reservationId, usage({ inputTokens: 100, outputTokens: 50, cachedInputTokens: 80 }));
    expect(pool).toMatchObject({ usedTokens: 150, reservedTokens: 0 });
    expect((await ledger.reserve("p", { tokens: 850, usdMicros: 0 })).pool.reservedTokens).toBe(850);
  });

  it("commits a larger actual usage in full, even past capacity", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 1000, period: "none" });
    const r = await ledger.reserve("p", { tokens: 100, usdMicros: 0 });
    const { pool } = await ledger.commit(r.reservationId, usage({ inputTokens: 900, outputTokens: 300 }));
    expect(pool).toMatchObject({ usedTokens: 1200, reservedTokens: 0 });
    const err = await failure(ledger.reserve("p", { tokens: 1, usdMicros: 0 }));
    expect(err.rawMessage).toBe('budget pool "p" has 0 tokens available, request needs 1');
  });

  it("release returns the whole hold", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    const r = await ledger.reserve("p", { tokens: 100, usdMicros: 0 });
    await failure(ledger.reserve("p", { tokens: 1, usdMicros: 0 }));
    expect(await ledger.release(r.reservationId)).toMatchObject({ usedTokens: 0, reservedTokens: 0 });
    expect((await ledger.reserve("p", { tokens: 100, usdMicros: 0 })).pool.reservedTokens).toBe(100);
  });

  it("rejects repeats with FAILED_PRECONDITION and unknown ids with NOT_FOUND", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    const a = await ledger.reserve("p", { tokens: 10, usdMicros: 0 });
    const b = await ledger.reserve("p", { tokens: 10, usdMicros: 0 });
    await ledger.commit(a.reservationId, usage({ inputTokens: 5 }));
    await ledger.release(b.reservationId);
    const cases: [Promise<unknown>, Code, string][] = [
      [
        ledger.commit(a.reservationId, usage()),
        Code.FailedPrecondition,
        `reservation "${a.reservationId}" was already committed with 5 tokens and 0 usd_micros; a repeated commit must carry the same usage (this one has 0 tokens and 0 usd_micros)`,
      ],
      [ledger.release(a.reservationId), Code.FailedPrecondition, `reservation "${a.reservationId}" was already committed`],
      [ledger.commit(b.reservationId, usage()), Code.FailedPrecondition, `reservation "${b.reservationId}" was already released`],
      [ledger.release(b.reservationId), Code.FailedPrecondition, `reservation "${b.reservationId}" was already released`],
      [ledger.commit("r-404", usage()), Code.NotFound, 'reservation "r-404" not found'],
      [ledger.release("r-404"), Code.NotFound, 'reservation "r-404" not found'],
    ];
    for (const [p, code, message] of cases) {
      const err = await failure(p);
      expect([err.code, err.rawMessage]).toEqual([code, message]);
    }
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 5, reservedTokens: 0 });
  });

  it("a repeated commit with the same usage answers the first one's result and charges nothing again", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    const a = await ledger.reserve("p", { tokens: 10, usdMicros: 0 });
    const first = await ledger.commit(a.reservationId, usage({ inputTokens: 5, outputTokens: 2, costUsdMicros: 9 }));
    expect(first).toMatchObject({ alreadyCommitted: false, charged: { tokens: 7, usdMicros: 9 }, pool: { usedTokens: 7, usedUsdMicros: 9 } });
    const again = await ledger.commit(a.reservationId, usage({ inputTokens: 5, outputTokens: 2, costUsdMicros: 9 }));
    expect(again).toMatchObject({ alreadyCommitted: true, charged: { tokens: 7, usdMicros: 9 }, pool: { usedTokens: 7, usedUsdMicros: 9 } });
    expect((await ledger.report({ groupBy: "pool" })).total.requests).toBe(1);
    const other = await failure(ledger.commit(a.reservationId, usage({ inputTokens: 5, outputTokens: 2, costUsdMicros: 8 })));
    expect(other.code).toBe(Code.FailedPrecondition);
    expect(other.rawMessage).toContain("was already committed with 7 tokens and 9 usd_micros");
  });

  it("enforces a usd capacity, alone and alongside tokens", async () => {
    const { ledger } = setup();
    await ledger.createPool("cash", { capacityUsdMicros: 1_000_000, period: "none" });
    const r = await ledger.reserve("cash", { tokens: 5000, usdMicros: 400_000 });
    expect(r.pool).toMatchObject({ reservedUsdMicros: 400_000, reservedTokens: 5000 });
    let err = await failure(ledger.reserve("cash", { tokens: 0, usdMicros: 700_000 }));
    expect(err.rawMessage).toBe('budget pool "cash" has 600000 usd_micros available, request needs 700000');
    await ledger.commit(r.reservationId, usage({ inputTokens: 10, costUsdMicros: 900_000n }));
    expect(await ledger.getPool("cash")).toMatchObject({ usedUsdMicros: 900_000, reservedUsdMicros: 0, usedTokens: 10 });

    await ledger.createPool("both", { capacityTokens: 100, capacityUsdMicros: 50, period: "none" });
    err = await failure(ledger.reserve("both", { tokens: 101, usdMicros: 51 }));
    expect(err.rawMessage).toBe('budget pool "both" has 100 tokens and 50 usd_micros available, request needs 101 tokens and 51 usd_micros');
    err = await failure(ledger.reserve("both", { tokens: 100, usdMicros: 51 }));
    expect(err.rawMessage).toBe('budget pool "both" has 50 usd_micros available, request needs 51');
  });

  it("validates its inputs with INVALID_ARGUMENT naming the field", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    const cases: [Promise<unknown>, string][] = [
      [ledger.reserve("P", { tokens: 1, usdMicros: 0 }), 'pool: "P" is not a valid pool name; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit'],
      [ledger.reserve("p", { tokens: -1, usdMicros: 0 }), "tokens: -1 is negative; must be 0 or more"],
      [ledger.reserve("p", { tokens: 1.5, usdMicros: 0 }), "tokens: 1.5 is not allowed; must be a whole number up to 9007199254740991"],
      [ledger.reserve("p", { tokens: 0, usdMicros: 0 }), "tokens: 0 tokens and 0 usd_micros reserves nothing; set tokens or usd_micros above 0"],
      [ledger.reserve("p", { tokens: 1, usdMicros: 0 }, 86_400_001), "ttl: 86400001 is not allowed; must be between 1 and 86400000 ms (one day)"],
      [ledger.commit("", usage()), 'reservation_id: "" is not allowed; a reservation id is required'],
      [ledger.commit("x", usage({ costUsdMicros: -3n })), "usage.cost_usd_micros: -3 is negative; must be 0 or more"],
      [ledger.commit("x", usage({ outputTokens: -3 })), "usage.output_tokens: -3 is negative; must be 0 or more"],
      [ledger.createPool("q", { period: "none" }), "pool: neither capacity_tokens nor capacity_usd_micros is set; set at least one"],
      [ledger.createPool("q", { capacityTokens: 1, period: "weekly" as "none" }), 'pool.period: "weekly" is not one of: none, hourly, daily, monthly'],
      [ledger.createPool("Q", { capacityTokens: 1, period: "none" }), 'pool.name: "Q" is not a valid pool name; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit'],
      [ledger.createPool("q", { capacityTokens: -1, period: "none" }), "pool.capacity_tokens: -1 is negative; must be 0 or more"],
      [ledger.createPool("q", { capacityUsdMicros: 0.5, period: "none" }), "pool.capacity_usd_micros: 0.5 is not allowed; must be a whole number up to 9007199254740991"],
      [ledger.updatePool("Q", {}), 'pool.name: "Q" is not a valid pool name; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit'],
      [ledger.updatePool("p", { capacityTokens: -2 }), "pool.capacity_tokens: -2 is negative; must be 0 or more"],
      [ledger.updatePool("p", { capacityUsdMicros: -3 }), "pool.capacity_usd_micros: -3 is negative; must be 0 or more"],
      [ledger.updatePool("p", { period: "weekly" as "none" }), 'pool.period: "weekly" is not one of: none, hourly, daily, monthly'],
      [ledger.reserve("p", { tokens: 1, usdMicros: -4 }), "usd_micros: -4 is negative; must be 0 or more"],
      [ledger.getPool("P"), 'name: "P" is not a valid pool name; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit'],
      [ledger.release(""), 'reservation_id: "" is not allowed; a reservation id is required'],
      [ledger.report({ pool: "P", groupBy: "pool" }), 'pool: "P" is not a valid pool name; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit'],
      [
        ledger.report({ start: T0 + 1, end: T0, groupBy: "pool" }),
        "start_time: 2025-01-15T12:00:00.001Z is after end_time 2025-01-15T12:00:00.000Z; the range must not run backwards",
      ],
    ];
    for (const [p, message] of cases) {
      const err = await failure(p);
      expect([err.code, err.rawMessage]).toEqual([Code.InvalidArgument, message]);
    }
  });

  it("manages pools: NOT_FOUND, ALREADY_EXISTS, updates, sorted listing", async () => {
    const { ledger } = setup();
    expect((await failure(ledger.getPool("ghost"))).code).toBe(Code.NotFound);
    expect((await failure(ledger.reserve("ghost", { tokens: 1, usdMicros: 0 }))).rawMessage).toBe('budget pool "ghost" not found');
    await ledger.createPool("b", { capacityTokens: 1, period: "daily" });
    await ledger.createPool("a", { capacityTokens: 1, period: "none" });
    const dup = await failure(ledger.createPool("a", { capacityTokens: 5, period: "none" }));
    expect([dup.code, dup.rawMessage]).toEqual([Code.AlreadyExists, 'budget pool "a" already exists']);
    expect((await ledger.listPools()).map((p) => p.name)).toEqual(["a", "b"]);
    expect(await ledger.updatePool("a", { capacityTokens: 9, capacityUsdMicros: 4 })).toMatchObject({ capacityTokens: 9, capacityUsdMicros: 4 });
    const none = await failure(ledger.updatePool("a", { capacityTokens: null, capacityUsdMicros: null }));
    expect(none.rawMessage).toBe('update_mask: the update would leave budget pool "a" with neither capacity_tokens nor capacity_usd_micros; keep at least one');
    expect((await failure(ledger.updatePool("zz", { capacityTokens: 1 }))).code).toBe(Code.NotFound);
  });

  it("reads the clock once per call, from the injected clock only", async () => {
    let t = T0;
    let reads = 0;
    const ledger = new BudgetLedger(new MemoryBudgetStore(), () => (reads++, t), 1000);
    await ledger.createPool("p", { capacityTokens: 10, period: "none" });
    reads = 0;
    t = T0 + 7;
    const r = await ledger.reserve("p", { tokens: 1, usdMicros: 0 });
    expect([reads, r.expiresAt]).toEqual([1, T0 + 1007]);
  });
});

describe("BudgetLedger settle: a finished request's usage, never lost, never twice", () => {
  const record = (tokens: number) => ({ time: T0, inputTokens: tokens, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, audioTokens: 0, costUsdMicros: tokens, provider: "x", cacheHit: false, requestId: `req-${tokens}` });

  it("commits a reservation (once), charges by id when it is gone, records without a pool", async () => {
    const { ledger, store, clock } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    const r = await ledger.reserve("p", { tokens: 10, usdMicros: 0 }, 1000);
    const committed = { reservationId: r.reservationId, chargeId: `late:${r.reservationId}`, pool: "p", amount: { tokens: 7, usdMicros: 7 }, record: record(7) };
    expect(await ledger.settle(committed)).toBe("committed");
    expect(await ledger.settle(committed)).toBe("already");
    const gone = await ledger.reserve("p", { tokens: 10, usdMicros: 0 }, 1000);
    clock.advance(1000);
    const late = { reservationId: gone.reservationId, chargeId: `late:${gone.reservationId}`, pool: "p", amount: { tokens: 5, usdMicros: 5 }, record: record(5) };
    expect(await ledger.settle(late)).toBe("charged-late");
    expect(await ledger.settle(late)).toBe("already");
    expect(await ledger.settle({ chargeId: "c-none", pool: "", amount: { tokens: 3, usdMicros: 3 }, record: record(3) })).toBe("recorded");
    expect(await ledger.settle({ chargeId: "c-gone", pool: "nope", amount: { tokens: 2, usdMicros: 2 }, record: record(2) })).toBe("recorded");
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 12, usedUsdMicros: 12, reservedTokens: 0 });
    const rows = (await store.queryUsage({})).map((u) => [u.pool, u.reservationId, u.inputTokens, u.requestId]);
    expect(rows).toEqual([
      ["p", r.reservationId, 7, "req-7"],
      ["p", `late:${gone.reservationId}`, 5, "req-5"],
      ["", "c-none", 3, "req-3"],
      ["nope", "c-gone", 2, "req-2"],
    ]);
  });

  it("settleUnreserved: one store step for the list, one outcome each; an unreserved settlement never tries a commit", async () => {
    const { ledger, store } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    let charges = 0;
    let commits = 0;
    const charge = store.charge.bind(store);
    const commit = store.commit.bind(store);
    store.charge = (...a) => (charges++, charge(...a));
    store.commit = (...a) => (commits++, commit(...a));
    const list = [
      { chargeId: "a", pool: "p", amount: { tokens: 4, usdMicros: 1 }, record: record(4) },
      { chargeId: "b", pool: "", amount: { tokens: 6, usdMicros: 1 }, record: record(6) },
      { chargeId: "a", pool: "p", amount: { tokens: 4, usdMicros: 1 }, record: record(4) },
    ];
    expect(await ledger.settleUnreserved(list)).toEqual(["charged-late", "recorded", "already"]);
    expect([charges, commits]).toEqual([1, 0]);
    expect(await ledger.settle({ chargeId: "d", pool: "p", amount: { tokens: 1, usdMicros: 0 }, record: record(1) })).toBe("charged-late");
    expect([charges, commits]).toEqual([2, 0]);
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 5, usedUsdMicros: 1 });
  });

  it("tryReserve answers no-pool and over-budget as results, with the pool's view", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 10, period: "daily" });
    expect(await ledger.tryReserve("nope", { tokens: 1, usdMicros: 0 })).toEqual({ status: "no-pool", missing: "nope" });
    const over = await ledger.tryReserve("p", { tokens: 11, usdMicros: 0 });
    expect(over.status).toBe("over-budget");
    if (over.status !== "over-budget") return;
    expect(over.error.rawMessage).toBe('budget pool "p" has 10 tokens available, request needs 11');
    expect(over.pool).toMatchObject({ name: "p", usedTokens: 0, periodEnd: Date.UTC(2025, 0, 16) });
  });

  it("tryReserve with linked pools (a key's and its team's): held in each once, all or none, committed to all", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    await ledger.createPool("key:k", { capacityTokens: 10, period: "none" });
    await ledger.createPool("team:t", { capacityTokens: 50, period: "none" });
    const reserved = async (name: string) => (await ledger.getPool(name)).reservedTokens;

    // Over the key's budget: refused naming it, and nothing held anywhere.
    const over = await ledger.tryReserve("p", { tokens: 20, usdMicros: 0 }, 1000, ["key:k", "team:t"]);
    expect(over.status).toBe("over-budget");
    if (over.status === "over-budget") expect(over.error.rawMessage).toBe('budget pool "key:k" has 10 tokens available, request needs 20');
    expect([await reserved("p"), await reserved("key:k"), await reserved("team:t")]).toEqual([0, 0, 0]);

    // A missing linked pool is named as the missing one.
    expect(await ledger.tryReserve("p", { tokens: 1, usdMicros: 0 }, 1000, ["team:none"])).toEqual({ status: "no-pool", missing: "team:none" });
    const bad = await failure(ledger.tryReserve("p", { tokens: 1, usdMicros: 0 }, 1000, ["Bad Pool"]));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.rawMessage).toMatch(/^linked pool: "Bad Pool" is not a valid pool name/);

    // Repeats and the pool itself among the linked ones hold once each.
    const ok = await ledger.tryReserve("p", { tokens: 5, usdMicros: 0 }, 1000, ["key:k", "team:t", "key:k", "p"]);
    expect(ok.status).toBe("reserved");
    expect([await reserved("p"), await reserved("key:k"), await reserved("team:t")]).toEqual([5, 5, 5]);
    if (ok.status !== "reserved") return;
    await ledger.commit(ok.reservationId, usage({ inputTokens: 2, outputTokens: 1 }));
    const after = await Promise.all(["p", "key:k", "team:t"].map((n) => ledger.getPool(n)));
    expect(after.map((v) => [v.usedTokens, v.reservedTokens])).toEqual([
      [3, 0],
      [3, 0],
      [3, 0],
    ]);
  });

  it("getPool shows how many holds there are and when the last one expires", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    expect((await ledger.getPool("p")).holds).toEqual({ count: 0 });
    await ledger.reserve("p", { tokens: 1, usdMicros: 0 }, 5000);
    await ledger.reserve("p", { tokens: 1, usdMicros: 0 }, 9000);
    expect((await ledger.getPool("p")).holds).toEqual({ count: 2, until: T0 + 9000 });
    expect((await ledger.listPools())[0]!.holds).toEqual({ count: 2, until: T0 + 9000 });
  });
});
