import { Code } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";

import { startBudgetSweeper } from "../../server/core/budget/sweeper.js";
import { failure, setup, T0, usage } from "./helpers.js";

describe("abandoned reservations expire (injected clock)", () => {
  it("frees the hold at the TTL, without any sweep", async () => {
    const { ledger, clock } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    await ledger.reserve("p", { tokens: 100, usdMicros: 0 }, 60_000);
    clock.advance(59_999);
    expect((await failure(ledger.reserve("p", { tokens: 1, usdMicros: 0 }))).code).toBe(Code.ResourceExhausted);
    expect((await ledger.getPool("p")).reservedTokens).toBe(100);
    clock.advance(1);
    expect((await ledger.getPool("p")).reservedTokens).toBe(0);
    expect((await ledger.reserve("p", { tokens: 100, usdMicros: 0 })).pool.reservedTokens).toBe(100);
  });

  it("answers NOT_FOUND naming the id when an expired reservation commits or releases", async () => {
    const { ledger, clock } = setup();
    await ledger.createPool("p", { capacityTokens: 100, period: "none" });
    const r = await ledger.reserve("p", { tokens: 10, usdMicros: 0 });
    clock.advance(10 * 60_000);
    const message = `reservation "${r.reservationId}" not found: it expired at 2025-01-15T12:10:00.000Z and its hold was released`;
    for (const p of [ledger.commit(r.reservationId, usage({ inputTokens: 5 })), ledger.release(r.reservationId)]) {
      const err = await failure(p);
      expect([err.code, err.rawMessage]).toEqual([Code.NotFound, message]);
    }
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 0, reservedTokens: 0 });
  });

  it("sweeps every pool, counting only the expired", async () => {
    const { ledger, clock } = setup();
    await ledger.createPool("a", { capacityTokens: 100, period: "none" });
    await ledger.createPool("b", { capacityTokens: 100, period: "none" });
    await ledger.reserve("a", { tokens: 1, usdMicros: 0 }, 1000);
    await ledger.reserve("b", { tokens: 2, usdMicros: 0 }, 1000);
    const keep = await ledger.reserve("b", { tokens: 3, usdMicros: 0 }, 5000);
    clock.advance(1000);
    expect(await ledger.sweep()).toBe(2);
    expect(await ledger.sweep()).toBe(0);
    expect((await ledger.getPool("b")).reservedTokens).toBe(3);
    expect((await ledger.commit(keep.reservationId, usage({ outputTokens: 3 }))).pool.usedTokens).toBe(3);
  });

  it("the sweeper runs on its interval and stops", async () => {
    const { ledger, clock } = setup(T0);
    await ledger.createPool("p", { capacityTokens: 10, period: "none" });
    await ledger.reserve("p", { tokens: 1, usdMicros: 0 }, 1000);
    clock.advance(1000);
    let swept = 0;
    const original = ledger.sweep.bind(ledger);
    ledger.sweep = async () => (swept += await original());
    vi.useFakeTimers();
    try {
      const stop = startBudgetSweeper(ledger, 5000);
      await vi.advanceTimersByTimeAsync(4999);
      expect(swept).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(swept).toBe(1);
      stop();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
