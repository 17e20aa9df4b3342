import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";

import { setup, usage } from "./helpers.js";

/** Deterministic pseudo-random sizes (mulberry32), so a failure can be replayed. */
function sizes(seed: number, n: number, max: number): number[] {
  let a = seed;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => 1 + Math.floor(next() * max));
}

describe("BudgetLedger under concurrency", () => {
  for (const seed of [1, 42, 2025]) {
    it(`1000 concurrent reserves never over-commit, and exactly the right ones fail (seed ${seed})`, async () => {
      const { ledger } = setup();
      const capacity = 50_000;
      await ledger.createPool("p", { capacityTokens: capacity, period: "none" });
      const asks = sizes(seed, 1000, 200);

      const results = await Promise.all(
        asks.map((tokens) => ledger.reserve("p", { tokens, usdMicros: 0 }).then((r) => r, (e: unknown) => e)),
      );

      // Calls reach the store in call order; each fits iff it fits what the earlier ones left.
      let left = capacity;
      const expected = asks.map((tokens) => (tokens <= left && left > 0 ? ((left -= tokens), true) : false));
      const ok = results.map((r) => !(r instanceof Error));
      expect(ok).toEqual(expected);
      expect(ok.filter((x) => !x).length).toBeGreaterThan(0);

      const held = asks.reduce((sum, t, i) => sum + (ok[i] ? t : 0), 0);
      expect(held).toBeLessThanOrEqual(capacity);
      expect(held).toBe(capacity - left);
      expect((await ledger.getPool("p")).reservedTokens).toBe(held);
      for (const r of results) {
        if (r instanceof ConnectError) {
          expect(r.code).toBe(Code.ResourceExhausted);
          expect(r.rawMessage).toMatch(/^budget pool "p" has \d+ tokens available, request needs \d+$/);
        }
      }
    });
  }

  it("interleaved reserves, commits and releases keep the balance exact", async () => {
    const { ledger } = setup();
    await ledger.createPool("p", { capacityTokens: 10_000, period: "none" });
    const asks = sizes(7, 1000, 50);
    const settled = await Promise.all(
      asks.map(async (tokens, i) => {
        const r = await ledger.reserve("p", { tokens, usdMicros: 0 }).catch(() => undefined);
        if (!r) return 0;
        if (i % 3 === 0) {
          await ledger.release(r.reservationId);
          return 0;
        }
        await ledger.commit(r.reservationId, usage({ inputTokens: tokens, outputTokens: i % 2 }));
        return tokens + (i % 2);
      }),
    );
    const pool = await ledger.getPool("p");
    expect(pool.reservedTokens).toBe(0);
    expect(pool.usedTokens).toBe(settled.reduce((a, b) => a + b, 0));
  });
});
