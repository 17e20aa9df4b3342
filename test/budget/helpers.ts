/** Shared test helpers: a hand-driven clock, a ledger over a memory store, error capture. */
import { ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";

import { BudgetLedger } from "../../server/core/budget/ledger.js";
import type { UsageInput } from "../../server/core/budget/ledger.js";
import type { BudgetStore, UsageRecord } from "../../server/store/budget-store.js";
import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";

/** 2025-01-15T12:00:00Z, mid-hour, mid-day, mid-month. */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export interface ManualClock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start = T0): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => void (t = ms),
    advance: (ms) => void (t += ms),
  };
}

export function setup(start = T0): { clock: ManualClock; store: MemoryBudgetStore; ledger: BudgetLedger } {
  const clock = manualClock(start);
  const store = new MemoryBudgetStore();
  return { clock, store, ledger: new BudgetLedger(store, clock.now) };
}

export function usage(u: Partial<UsageInput> = {}): UsageInput {
  return {
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    audioTokens: 0,
    costUsdMicros: 0,
    provider: "openai",
    cacheHit: false,
    ...u,
  };
}

/** Awaits a rejection and returns it as a ConnectError (fails the test otherwise). */
export async function failure(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    return err as ConnectError;
  }
  throw new Error("expected a rejection, but the call succeeded");
}

/** Appends one usage record through charge() (a fresh charge id; the record's pool charged nothing). */
export async function appendRecord(store: BudgetStore, record: UsageRecord): Promise<void> {
  expect(await store.charge([{ id: `rec-${++recordIds}`, amount: { tokens: 0, usdMicros: 0 }, record }], record.time)).not.toContain("duplicate");
}
let recordIds = 0;
