import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";

import type { BudgetLedger, CommitContext, UsageInput } from "../../server/core/budget/ledger.js";
import { failure, setup, usage } from "./helpers.js";

const at = (iso: string): number => Date.parse(iso);

async function charge(ledger: BudgetLedger, pool: string, u: Partial<UsageInput>, ctx?: CommitContext): Promise<void> {
  const r = await ledger.reserve(pool, { tokens: 1, usdMicros: 0 });
  await ledger.commit(r.reservationId, usage(u), ctx);
}

/** Three requests over two days and two pools. */
async function seeded() {
  const s = setup(at("2025-01-15T10:00:00Z"));
  await s.ledger.createPool("a", { capacityTokens: 1_000_000, period: "none" });
  await s.ledger.createPool("b", { capacityTokens: 1_000_000, period: "none" });
  await charge(s.ledger, "a", { inputTokens: 100, cachedInputTokens: 40, outputTokens: 20, reasoningTokens: 5, costUsdMicros: 300n, provider: "openai" }, { model: "gpt-4o", key: "ci" });
  s.clock.set(at("2025-01-15T23:59:59Z"));
  await charge(s.ledger, "b", { inputTokens: 10, outputTokens: 1, audioTokens: 7, costUsdMicros: 50n, provider: "anthropic", cacheHit: true }, { model: "claude" });
  s.clock.set(at("2025-01-16T00:00:00Z"));
  await charge(s.ledger, "a", { inputTokens: 1, outputTokens: 2, costUsdMicros: 3n, provider: "openai" }, { model: "gpt-4o", key: "ci" });
  return s;
}

const TOTAL = {
  group: "",
  requests: 3,
  inputTokens: 111,
  cachedInputTokens: 40,
  outputTokens: 23,
  reasoningTokens: 5,
  audioTokens: 7,
  costUsdMicros: 353,
  cacheHits: 1,
};

describe("usage reports", () => {
  it("groups by pool with per-kind sums and a total", async () => {
    const { ledger } = await seeded();
    const report = await ledger.report({ groupBy: "pool" });
    expect(report.rows).toEqual([
      { group: "a", requests: 2, inputTokens: 101, cachedInputTokens: 40, outputTokens: 22, reasoningTokens: 5, audioTokens: 0, costUsdMicros: 303, cacheHits: 0 },
      { group: "b", requests: 1, inputTokens: 10, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, audioTokens: 7, costUsdMicros: 50, cacheHits: 1 },
    ]);
    expect(report.total).toEqual(TOTAL);
  });

  it("groups by model, provider, key and UTC day", async () => {
    const { ledger } = await seeded();
    const groups = async (groupBy: "model" | "provider" | "key" | "day") =>
      (await ledger.report({ groupBy })).rows.map((r) => [r.group, r.requests]);
    expect(await groups("model")).toEqual([["claude", 1], ["gpt-4o", 2]]);
    expect(await groups("provider")).toEqual([["anthropic", 1], ["openai", 2]]);
    expect(await groups("key")).toEqual([["(unknown)", 1], ["ci", 2]]);
    expect(await groups("day")).toEqual([["2025-01-15", 2], ["2025-01-16", 1]]);
    expect((await ledger.report({ groupBy: "day" })).total).toEqual(TOTAL);
  });

  it("filters by pool and by [start, end)", async () => {
    const { ledger } = await seeded();
    expect((await ledger.report({ groupBy: "pool", pool: "b" })).total.requests).toBe(1);
    const day1 = await ledger.report({ groupBy: "day", start: at("2025-01-15T00:00:00Z"), end: at("2025-01-16T00:00:00Z") });
    expect(day1.rows.map((r) => r.group)).toEqual(["2025-01-15"]);
    expect(day1.total.costUsdMicros).toBe(350);
    const empty = await ledger.report({ groupBy: "pool", start: at("2030-01-01T00:00:00Z"), end: at("2030-01-01T00:00:00Z") });
    expect(empty.rows).toEqual([]);
    expect(empty.total.requests).toBe(0);
  });

  it("with no end_time, counts everything up to now, including this very millisecond", async () => {
    const { ledger, clock } = await seeded();
    expect(clock.now()).toBe(at("2025-01-16T00:00:00Z")); // the last record's time
    expect((await ledger.report({ groupBy: "pool" })).total.requests).toBe(3);
    expect((await ledger.report({ groupBy: "pool", end: clock.now() })).total.requests).toBe(2);
  });

  it("rejects an unknown pool, a bad name and a backwards range", async () => {
    const { ledger } = await seeded();
    const nf = await failure(ledger.report({ groupBy: "pool", pool: "zz" }));
    expect([nf.code, nf.rawMessage]).toEqual([Code.NotFound, 'budget pool "zz" not found']);
    expect((await failure(ledger.report({ groupBy: "pool", pool: "Bad!" }))).code).toBe(Code.InvalidArgument);
    const back = await failure(ledger.report({ groupBy: "pool", start: at("2025-02-01T00:00:00Z"), end: at("2025-01-01T00:00:00Z") }));
    expect(back.rawMessage).toBe(
      "start_time: 2025-02-01T00:00:00.000Z is after end_time 2025-01-01T00:00:00.000Z; the range must not run backwards",
    );
  });
});
