import { describe, expect, it } from "vitest";

import { setup, usage } from "./helpers.js";

const at = (iso: string): number => Date.parse(iso);

describe("period rollover (injected clock)", () => {
  it("hourly: the balance resets at the top of the hour", async () => {
    const { ledger, clock } = setup(at("2025-01-15T12:30:00Z"));
    await ledger.createPool("p", { capacityTokens: 100, period: "hourly" });
    const r = await ledger.reserve("p", { tokens: 60, usdMicros: 0 });
    await ledger.commit(r.reservationId, usage({ inputTokens: 100 }));
    expect(await ledger.getPool("p")).toMatchObject({
      usedTokens: 100,
      periodStart: at("2025-01-15T12:00:00Z"),
      periodEnd: at("2025-01-15T13:00:00Z"),
    });
    clock.set(at("2025-01-15T12:59:59.999Z"));
    expect((await ledger.getPool("p")).usedTokens).toBe(100);
    clock.set(at("2025-01-15T13:00:00Z"));
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 0, reservedTokens: 0, periodStart: at("2025-01-15T13:00:00Z") });
    expect((await ledger.reserve("p", { tokens: 100, usdMicros: 0 })).pool.reservedTokens).toBe(100);
  });

  it("daily: a reservation made yesterday and committed today is charged to today", async () => {
    const { ledger, clock } = setup(at("2025-01-15T23:58:00Z"));
    await ledger.createPool("p", { capacityTokens: 1000, period: "daily" });
    const late = await ledger.reserve("p", { tokens: 400, usdMicros: 0 });
    await ledger.commit((await ledger.reserve("p", { tokens: 10, usdMicros: 0 })).reservationId, usage({ inputTokens: 10 }));
    clock.set(at("2025-01-16T00:01:00Z"));
    const today = await ledger.reserve("p", { tokens: 300, usdMicros: 0 });
    expect(today.pool).toMatchObject({ usedTokens: 0, reservedTokens: 300, periodStart: at("2025-01-16T00:00:00Z") });
    const { pool } = await ledger.commit(late.reservationId, usage({ inputTokens: 350, outputTokens: 100 }));
    expect(pool).toMatchObject({ usedTokens: 450, reservedTokens: 300 }); // old hold not subtracted again
    expect((await ledger.release(today.reservationId)).reservedTokens).toBe(0);
  });

  it("monthly: resets on the 1st, after 31, 28, 29 and 30 day months", async () => {
    const { ledger, clock } = setup(at("2024-01-31T23:00:00Z"));
    await ledger.createPool("p", { capacityTokens: 10, period: "monthly" });
    const spend = async (): Promise<void> => {
      const r = await ledger.reserve("p", { tokens: 10, usdMicros: 0 });
      await ledger.commit(r.reservationId, usage({ inputTokens: 10 }));
    };
    await spend();
    expect((await ledger.getPool("p")).periodEnd).toBe(at("2024-02-01T00:00:00Z"));
    // [a month's first instant, its last millisecond, the next month's first instant, that month's end]
    const months: [string, string, string, string][] = [
      ["2024-02-01T00:00:00Z", "2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"], // leap Feb
      ["2024-03-01T00:00:00Z", "2024-03-31T23:59:59.999Z", "2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z"],
      ["2024-04-01T00:00:00Z", "2024-04-30T23:59:59.999Z", "2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z"],
      ["2025-02-01T00:00:00Z", "2025-02-28T23:59:59.999Z", "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z"], // common Feb
      ["2025-12-01T00:00:00Z", "2025-12-31T23:59:59.999Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"], // year end
    ];
    for (const [first, last, next, end] of months) {
      clock.set(at(first));
      expect((await ledger.getPool("p")).usedTokens).toBe(0);
      await spend();
      clock.set(at(last));
      expect((await ledger.getPool("p")).usedTokens).toBe(10);
      clock.set(at(next));
      expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 0, periodStart: at(next), periodEnd: at(end) });
    }
  });

  it("none: never resets", async () => {
    const { ledger, clock } = setup();
    await ledger.createPool("p", { capacityUsdMicros: 100, period: "none" });
    const r = await ledger.reserve("p", { tokens: 0, usdMicros: 50 });
    await ledger.commit(r.reservationId, usage({ costUsdMicros: 50n }));
    clock.advance(400 * 86_400_000);
    expect((await ledger.getPool("p")).usedUsdMicros).toBe(50);
  });

  it("changing the period keeps the balance and re-anchors it", async () => {
    const { ledger, clock } = setup(at("2025-01-15T12:30:00Z"));
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    const r = await ledger.reserve("p", { tokens: 40, usdMicros: 0 });
    const pool = await ledger.updatePool("p", { period: "daily" });
    expect(pool).toMatchObject({ reservedTokens: 40, periodStart: at("2025-01-15T00:00:00Z"), periodEnd: at("2025-01-16T00:00:00Z") });
    expect((await ledger.release(r.reservationId)).reservedTokens).toBe(0); // the hold still counts
    clock.set(at("2025-01-16T00:00:00Z"));
    expect((await ledger.getPool("p")).periodStart).toBe(at("2025-01-16T00:00:00Z"));
  });
});
