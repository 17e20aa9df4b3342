/**
 * Budget periods: when a pool's balance starts over. All boundaries are UTC,
 * so every replica (and every store) agrees on them regardless of its TZ.
 *
 * Rollover rule (shared by every BudgetStore): when an operation at `now` finds
 * that a later period has begun than the one the stored balance belongs to,
 * used and reserved reset to 0 before the operation applies. Reservations made
 * in the old period stay valid; when one commits in the new period its ACTUAL
 * usage is charged to the new period (the period in which the work finished),
 * and its old hold is not subtracted again, because the reset already dropped it.
 * Why: the old period's balance is closed, so charging it would be invisible and
 * let the usage escape every limit; charging the new one never loses accounted usage.
 * The price: work in flight across a boundary runs without a hold in the new period.
 */

export type BudgetPeriodKind = "none" | "hourly" | "daily" | "monthly";

export const BUDGET_PERIODS: readonly BudgetPeriodKind[] = ["none", "hourly", "daily", "monthly"];

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Start (ms, inclusive) of the period containing `now`; undefined for "none" (it never ends). */
export function periodStartAt(period: BudgetPeriodKind, now: number): number | undefined {
  switch (period) {
    case "none":
      return undefined;
    case "hourly":
      return Math.floor(now / HOUR_MS) * HOUR_MS;
    case "daily":
      return Math.floor(now / DAY_MS) * DAY_MS;
    case "monthly": {
      const d = new Date(now);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

/** End (ms, exclusive) of the period that starts at `start`; undefined for "none". */
export function periodEndAfter(period: BudgetPeriodKind, start: number): number | undefined {
  switch (period) {
    case "none":
      return undefined;
    case "hourly":
      return start + HOUR_MS;
    case "daily":
      return start + DAY_MS;
    case "monthly": {
      // Date.UTC carries month 12 into January of the next year.
      const d = new Date(start);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
}

/**
 * The period start a balance stored with `storedStart` should have at `now`.
 * Only moves forward: a replica whose clock lags must not reopen an old period.
 */
export function currentPeriodStart(period: BudgetPeriodKind, storedStart: number, now: number): number {
  const start = periodStartAt(period, now);
  return start !== undefined && start > storedStart ? start : storedStart;
}

/** Where a new balance of this period kind starts: its period's start, or now for "none". */
export function initialPeriodStart(period: BudgetPeriodKind, now: number): number {
  return periodStartAt(period, now) ?? now;
}

/** UTC calendar day of `ms` as YYYY-MM-DD (report grouping). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
