/**
 * The BudgetStore contract as tests. Every implementation (memory now; SQLite
 * and Redis later) runs this suite: describeBudgetStoreContract("X", () => new X()).
 */
import { describe, expect, it } from "vitest";

import { linkedId, type BudgetStore, type PoolState } from "../../server/store/budget-store.js";
import { T0, appendRecord } from "./helpers.js";
import { summarizeUsage } from "../../server/core/budget/report.js";

const MIN = 60_000;
const HOUR = 60 * MIN;

export function describeBudgetStoreContract(name: string, makeStore: () => BudgetStore): void {
  describe(`${name}: BudgetStore contract`, () => {
    async function withPool(limits: Partial<PoolState> = {}): Promise<BudgetStore> {
      const store = makeStore();
      await store.createPool("p", { capacityTokens: 1000, period: "none", ...limits }, T0);
      return store;
    }

    it("creates pools once and lists them by name", async () => {
      const store = makeStore();
      const made = await store.createPool("b", { capacityTokens: 10, period: "daily" }, T0);
      expect(made).toMatchObject({ status: "created", pool: { name: "b", epoch: 0, usedTokens: 0 } });
      expect(made.pool.periodStart).toBe(Date.UTC(2025, 0, 15));
      await store.createPool("a", { capacityUsdMicros: 5, period: "none" }, T0);
      const again = await store.createPool("b", { capacityTokens: 99, period: "none" }, T0);
      expect(again).toMatchObject({ status: "exists", pool: { capacityTokens: 10 } });
      expect((await store.listPools(T0)).map((p) => p.name)).toEqual(["a", "b"]);
      expect(await store.getPool("zzz", T0)).toBeUndefined();
      expect((await store.getPool("a", T0))?.periodStart).toBe(T0);
    });

    it("reserves what fits and reports what is available when it does not", async () => {
      const store = await withPool();
      const r = await store.reserve("p", { tokens: 600, usdMicros: 0 }, MIN, T0);
      expect(r).toMatchObject({ status: "reserved", pool: { reservedTokens: 600 } });
      if (r.status !== "reserved") return;
      expect(r.reservation).toMatchObject({ pool: "p", tokens: 600, createdAt: T0, expiresAt: T0 + MIN, epoch: 0 });
      const over = await store.reserve("p", { tokens: 401, usdMicros: 7 }, MIN, T0);
      expect(over).toMatchObject({
        status: "over-budget",
        available: { tokens: 400, usdMicros: undefined },
        needed: { tokens: 401, usdMicros: 7 },
      });
      expect(await store.reserve("nope", { tokens: 1, usdMicros: 0 }, MIN, T0)).toEqual({ status: "no-pool", missing: "nope" });
      expect((await store.reserve("p", { tokens: 400, usdMicros: 0 }, MIN, T0)).status).toBe("reserved");
    });

    it("rejects even a zero estimate on an exhausted dimension", async () => {
      const store = await withPool({ capacityTokens: 10 });
      await store.reserve("p", { tokens: 10, usdMicros: 0 }, MIN, T0);
      expect((await store.reserve("p", { tokens: 0, usdMicros: 5 }, MIN, T0)).status).toBe("over-budget");
    });

    it("commits the actual amount, beyond the hold and beyond capacity", async () => {
      const store = await withPool({ capacityTokens: 100, capacityUsdMicros: 50 });
      const r = await store.reserve("p", { tokens: 90, usdMicros: 10 }, MIN, T0);
      if (r.status !== "reserved") throw new Error(r.status);
      const done = await store.commit(r.reservation.id, { tokens: 250, usdMicros: 70 }, T0 + 1);
      expect(done).toMatchObject({
        status: "done",
        pool: { usedTokens: 250, reservedTokens: 0, usedUsdMicros: 70, reservedUsdMicros: 0 },
      });
      expect(r.pool.reservedTokens).toBe(90); // earlier results are snapshots
    });

    it("getReservation reads a reservation as made, active or finished, changing nothing", async () => {
      const store = await withPool();
      const r = await store.reserve("p", { tokens: 10, usdMicros: 3 }, MIN, T0);
      if (r.status !== "reserved") throw new Error("expected a reservation");
      const id = r.reservation.id;
      expect(await store.getReservation(id)).toMatchObject({ id, pool: "p", tokens: 10, usdMicros: 3, createdAt: T0, expiresAt: T0 + MIN });
      expect((await store.getPool("p", T0))!.reservedTokens).toBe(10);
      await store.commit(id, { tokens: 4, usdMicros: 0 }, T0);
      expect(await store.getReservation(id)).toMatchObject({ id, pool: "p", tokens: 10 });
      expect(await store.getReservation("never-made")).toBeUndefined();
    });

    it("releases holds and tells repeats from unknown ids", async () => {
      const store = await withPool();
      const a = await store.reserve("p", { tokens: 10, usdMicros: 0 }, MIN, T0);
      const b = await store.reserve("p", { tokens: 20, usdMicros: 0 }, MIN, T0);
      if (a.status !== "reserved" || b.status !== "reserved") throw new Error("setup");
      expect(await store.release(a.reservation.id, T0)).toMatchObject({ status: "done", pool: { reservedTokens: 20 } });
      await store.commit(b.reservation.id, { tokens: 5, usdMicros: 0 }, T0);
      expect(await store.release(a.reservation.id, T0)).toMatchObject({ status: "released", at: T0 });
      expect(await store.commit(a.reservation.id, { tokens: 1, usdMicros: 0 }, T0)).toMatchObject({ status: "released" });
      expect(await store.commit(b.reservation.id, { tokens: 1, usdMicros: 0 }, T0)).toMatchObject({ status: "committed" });
      expect(await store.release("never-made", T0)).toEqual({ status: "unknown" });
      expect(await store.getPool("p", T0)).toMatchObject({ usedTokens: 5, reservedTokens: 0 });
    });

    it("drops expired holds before using a pool, and on expire()", async () => {
      const store = await withPool({ capacityTokens: 100 });
      const a = await store.reserve("p", { tokens: 100, usdMicros: 0 }, MIN, T0);
      if (a.status !== "reserved") throw new Error("setup");
      expect((await store.reserve("p", { tokens: 1, usdMicros: 0 }, MIN, T0 + MIN - 1)).status).toBe("over-budget");
      expect((await store.reserve("p", { tokens: 100, usdMicros: 0 }, MIN, T0 + MIN)).status).toBe("reserved");
      expect(await store.commit(a.reservation.id, { tokens: 1, usdMicros: 0 }, T0 + MIN)).toMatchObject({
        status: "expired",
        at: T0 + MIN,
      });
      expect(await store.expire(T0 + 2 * MIN - 1)).toBe(0);
      expect(await store.expire(T0 + 2 * MIN)).toBe(1);
      expect(await store.getPool("p", T0 + 2 * MIN)).toMatchObject({ usedTokens: 0, reservedTokens: 0 });
    });

    it("rolls over: resets the balance, bumps the epoch, charges late commits to the new period", async () => {
      const store = await withPool({ capacityTokens: 100, period: "hourly" });
      const old = await store.reserve("p", { tokens: 60, usdMicros: 0 }, 2 * HOUR, T0);
      if (old.status !== "reserved") throw new Error("setup");
      await store.commit((await reserveId(store, 10)), { tokens: 10, usdMicros: 0 }, T0);
      const next = T0 + HOUR;
      expect(await store.getPool("p", next)).toMatchObject({ epoch: 1, usedTokens: 0, reservedTokens: 0, periodStart: next });
      const fresh = await store.reserve("p", { tokens: 30, usdMicros: 0 }, MIN, next);
      expect(fresh).toMatchObject({ status: "reserved", pool: { reservedTokens: 30 } });
      const done = await store.commit(old.reservation.id, { tokens: 45, usdMicros: 0 }, next);
      expect(done).toMatchObject({ status: "done", pool: { usedTokens: 45, reservedTokens: 30 } });
    });

    it("patches limits: null clears, neither capacity is refused, a new period keeps the balance", async () => {
      const store = await withPool({ capacityTokens: 100, capacityUsdMicros: 9 });
      await store.reserve("p", { tokens: 40, usdMicros: 0 }, HOUR, T0);
      expect(await store.updatePool("p", { capacityUsdMicros: null }, T0)).toMatchObject({
        status: "updated",
        pool: { capacityTokens: 100, capacityUsdMicros: undefined },
      });
      expect(await store.updatePool("p", { capacityTokens: null }, T0)).toMatchObject({ status: "no-capacity" });
      const daily = await store.updatePool("p", { period: "daily", capacityTokens: 50 }, T0);
      expect(daily).toMatchObject({
        status: "updated",
        pool: { period: "daily", capacityTokens: 50, reservedTokens: 40, periodStart: Date.UTC(2025, 0, 15), epoch: 0 },
      });
      expect(await store.updatePool("zzz", {}, T0)).toEqual({ status: "no-pool" });
    });

    it("appends usage records and queries them by pool and [start, end)", async () => {
      const store = makeStore();
      const rec = (pool: string, time: number) => ({
        time,
        pool,
        reservationId: `${pool}-${time}`,
        inputTokens: 1,
        cachedInputTokens: 0,
        outputTokens: 2,
        reasoningTokens: 0,
        audioTokens: 0,
        costUsdMicros: 3,
        provider: "x",
        cacheHit: false,
      });
      await appendRecord(store, rec("a", 30));
      await appendRecord(store, rec("b", 10));
      await appendRecord(store, rec("a", 20));
      expect((await store.queryUsage({})).map((r) => r.time)).toEqual([10, 20, 30]);
      expect((await store.queryUsage({ pool: "a" })).map((r) => r.time)).toEqual([20, 30]);
      expect((await store.queryUsage({ start: 10, end: 30 })).map((r) => r.time)).toEqual([10, 20]);
    });

    it("usageReport sums per group in the store, filtered by pool, key, team and time; every grouping reconciles", async () => {
      const store = makeStore();
      const rec = (pool: string, time: number, key: string | undefined, team: string | undefined, model?: string) => ({
        time,
        pool,
        reservationId: `${pool}-${time}`,
        inputTokens: 10,
        cachedInputTokens: 1,
        outputTokens: 5,
        reasoningTokens: 2,
        audioTokens: 0,
        costUsdMicros: 7,
        provider: "x",
        cacheHit: time === 40,
        key,
        team,
        model,
      });
      await appendRecord(store, rec("a", 10, "k1", "ml", "gpt-4o"));
      await appendRecord(store, rec("a", 20, "k2", "ml"));
      await appendRecord(store, rec("b", 30, "k3", undefined, "gpt-4o"));
      await appendRecord(store, rec("b", 40, undefined, undefined));
      const byTeam = await store.usageReport({}, "team");
      expect(byTeam.rows.map((r) => [r.group, r.requests])).toEqual([["(unknown)", 2], ["ml", 2]]);
      expect(byTeam.total).toMatchObject({ group: "", requests: 4, inputTokens: 40, cachedInputTokens: 4, outputTokens: 20, reasoningTokens: 8, costUsdMicros: 28, cacheHits: 1 });
      const byKey = await store.usageReport({}, "key");
      expect(byKey.rows.map((r) => r.group)).toEqual(["(unknown)", "k1", "k2", "k3"]);
      expect(byKey.total).toEqual(byTeam.total);
      expect((await store.usageReport({}, "model")).rows.map((r) => [r.group, r.requests])).toEqual([["(unknown)", 2], ["gpt-4o", 2]]);
      expect((await store.usageReport({}, "day")).rows.map((r) => r.group)).toEqual(["1970-01-01"]);
      expect((await store.usageReport({ team: "ml" }, "key")).rows.map((r) => r.group)).toEqual(["k1", "k2"]);
      expect((await store.usageReport({ key: "k3", pool: "b" }, "pool")).rows).toMatchObject([{ group: "b", requests: 1 }]);
      expect((await store.usageReport({ start: 20, end: 40 }, "pool")).rows.map((r) => [r.group, r.requests])).toEqual([["a", 1], ["b", 1]]);
      expect(await store.usageReport({ key: "nobody" }, "key")).toMatchObject({ rows: [], total: { requests: 0 } });
      expect((await store.queryUsage({ team: "ml" })).map((r) => r.key)).toEqual(["k1", "k2"]);
    });

    it("usageReport over many days (whole and partial days, any range) equals summing the records", async () => {
      const store = makeStore();
      const DAY = 86_400_000;
      const base = Date.UTC(2026, 0, 1);
      let seed = 7;
      const rand = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
      for (let i = 0; i < 120; i++) {
        const key = ["k1", "k2", undefined][rand(3)];
        await appendRecord(store, {
          time: base + rand(6 * DAY),
          pool: ["a", "b", ""][rand(3)]!,
          reservationId: `m-${i}`,
          inputTokens: rand(100),
          cachedInputTokens: rand(5),
          outputTokens: rand(50),
          reasoningTokens: rand(3),
          audioTokens: rand(2),
          costUsdMicros: rand(1000),
          provider: ["p", "q"][rand(2)]!,
          cacheHit: rand(4) === 0,
          model: ["m1", "m2", undefined][rand(3)],
          key,
          team: key === "k1" ? "ml" : undefined,
        });
      }
      const ranges = [
        {},
        { start: base },
        { end: base + 3 * DAY },
        { start: base + DAY / 3, end: base + 5 * DAY + 7 },
        { start: base + DAY + 1, end: base + DAY + 5000 },
        { start: base + 2 * DAY, end: base + 4 * DAY },
        { start: base - DAY, end: base + 10 * DAY, key: "k1" },
        { start: base + 12345, team: "ml", pool: "a" },
      ];
      for (const range of ranges) {
        for (const by of ["pool", "key", "team", "model", "provider", "day"] as const) {
          expect(await store.usageReport(range, by), `${JSON.stringify(range)} by ${by}`).toEqual(summarizeUsage(await store.queryUsage(range), by));
        }
      }
    });

    describe("a reservation held in linked pools (a key's and its team's budgets)", () => {
      async function three(): Promise<BudgetStore> {
        const store = makeStore();
        await store.createPool("p", { capacityTokens: 1000, period: "none" }, T0);
        await store.createPool("key:k", { capacityTokens: 100, period: "none" }, T0);
        await store.createPool("team:t", { capacityTokens: 50, capacityUsdMicros: 9, period: "none" }, T0);
        return store;
      }
      const reserved = async (store: BudgetStore) => Promise.all(["p", "key:k", "team:t"].map(async (n) => (await store.getPool(n, T0))!.reservedTokens));
      const used = async (store: BudgetStore, now = T0) => Promise.all(["p", "key:k", "team:t"].map(async (n) => (await store.getPool(n, now))!.usedTokens));

      it("holds in every pool or in none: over-budget names the pool it does not fit, no-pool the missing one", async () => {
        const store = await three();
        const over = await store.reserve("p", { tokens: 60, usdMicros: 0 }, MIN, T0, ["key:k", "team:t"]);
        expect(over).toMatchObject({ status: "over-budget", pool: { name: "team:t" }, available: { tokens: 50, usdMicros: 9 } });
        expect(await store.reserve("p", { tokens: 1, usdMicros: 0 }, MIN, T0, ["key:k", "nope"])).toEqual({ status: "no-pool", missing: "nope" });
        expect(await reserved(store)).toEqual([0, 0, 0]);
        const ok = await store.reserve("p", { tokens: 40, usdMicros: 2 }, MIN, T0, ["key:k", "team:t"]);
        expect(ok).toMatchObject({ status: "reserved", reservation: { pool: "p", linked: ["key:k", "team:t"], tokens: 40 }, pool: { name: "p", reservedTokens: 40 } });
        expect(await reserved(store)).toEqual([40, 40, 40]);
        expect((await store.getPool("team:t", T0))!).toMatchObject({ reservedUsdMicros: 2, holds: { count: 1, until: T0 + MIN } });
        expect((await store.reserve("p", { tokens: 20, usdMicros: 0 }, MIN, T0, ["key:k", "team:t"])).status).toBe("over-budget");
        expect(await reserved(store)).toEqual([40, 40, 40]);
      });

      it("a commit charges every pool once and gives every hold back; release gives them back; in one step", async () => {
        const store = await three();
        const a = await store.reserve("p", { tokens: 40, usdMicros: 0 }, MIN, T0, ["key:k", "team:t"]);
        const b = await store.reserve("p", { tokens: 5, usdMicros: 0 }, MIN, T0, ["key:k", "team:t"]);
        if (a.status !== "reserved" || b.status !== "reserved") throw new Error("setup");
        expect(await store.getReservation(a.reservation.id)).toMatchObject({ pool: "p", linked: ["key:k", "team:t"] });
        expect(await store.commit(a.reservation.id, { tokens: 30, usdMicros: 1 }, T0)).toMatchObject({ status: "done", pool: { name: "p", usedTokens: 30, reservedTokens: 5 } });
        expect(await used(store)).toEqual([30, 30, 30]);
        expect((await store.getPool("team:t", T0))!.usedUsdMicros).toBe(1);
        expect(await store.commit(a.reservation.id, { tokens: 30, usdMicros: 1 }, T0)).toMatchObject({ status: "committed", charged: { tokens: 30, usdMicros: 1 } });
        expect(await used(store)).toEqual([30, 30, 30]);
        expect(await store.release(b.reservation.id, T0)).toMatchObject({ status: "done" });
        expect(await reserved(store)).toEqual([0, 0, 0]);
        expect(await used(store)).toEqual([30, 30, 30]);
      });

      it("a linked hold's own id is unknown to commit and release", async () => {
        const store = await three();
        const a = await store.reserve("p", { tokens: 10, usdMicros: 0 }, MIN, T0, ["key:k"]);
        if (a.status !== "reserved") throw new Error("setup");
        const linked = linkedId(a.reservation.id, "key:k");
        expect(await store.commit(linked, { tokens: 99, usdMicros: 0 }, T0)).toEqual({ status: "unknown" });
        expect(await store.release(linked, T0)).toEqual({ status: "unknown" });
        expect(await reserved(store)).toEqual([10, 10, 0]);
        expect(await used(store)).toEqual([0, 0, 0]);
      });

      it("linked holds expire with the reservation; a commit after that is 'expired' and charges nothing", async () => {
        const store = await three();
        const a = await store.reserve("p", { tokens: 10, usdMicros: 0 }, MIN, T0, ["key:k", "team:t"]);
        if (a.status !== "reserved") throw new Error("setup");
        expect(await store.expire(T0 + MIN)).toBe(3);
        expect(await store.commit(a.reservation.id, { tokens: 10, usdMicros: 0 }, T0 + MIN)).toMatchObject({ status: "expired" });
        expect(await used(store, T0 + MIN)).toEqual([0, 0, 0]);
        expect(await Promise.all(["p", "key:k", "team:t"].map(async (n) => (await store.getPool(n, T0 + MIN))!.holds.count))).toEqual([0, 0, 0]);
      });

      it("a charge with linked pools charges each that exists, once per charge id", async () => {
        const store = await three();
        const record = { time: T0, pool: "p", reservationId: "c1", inputTokens: 4, cachedInputTokens: 0, outputTokens: 3, reasoningTokens: 0, audioTokens: 0, costUsdMicros: 0, provider: "x", cacheHit: false };
        const entry = { id: "c1", amount: { tokens: 7, usdMicros: 0 }, linked: ["key:k", "gone", "team:t"], record };
        expect(await store.charge([entry], T0)).toEqual(["charged"]);
        expect(await store.charge([entry], T0)).toEqual(["duplicate"]);
        expect(await used(store)).toEqual([7, 7, 7]);
        expect(await store.charge([{ ...entry, id: "c2", record: { ...record, pool: "" } }], T0)).toEqual(["recorded"]);
        expect(await used(store)).toEqual([7, 14, 14]);
      });
    });

    async function reserveId(store: BudgetStore, tokens: number): Promise<string> {
      const r = await store.reserve("p", { tokens, usdMicros: 0 }, MIN, T0);
      if (r.status !== "reserved") throw new Error(r.status);
      return r.reservation.id;
    }
  });
}
