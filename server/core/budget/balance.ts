/**
 * Balance rules every BudgetStore applies inside its atomic step. Pure functions
 * over immutable PoolState values, so a store can swap a record in one assignment.
 */
import type { Amount, Available, PoolLimits, PoolPatch, PoolState } from "../../store/budget-store.js";
import { currentPeriodStart, initialPeriodStart } from "./period.js";

function left(capacity: number | undefined, used: number, reserved: number): number | undefined {
  return capacity === undefined ? undefined : Math.max(0, capacity - used - reserved);
}

/** What can still be reserved; used may exceed capacity (commits never fail), so never below 0. */
export function availableOf(pool: PoolState): Available {
  return {
    tokens: left(pool.capacityTokens, pool.usedTokens, pool.reservedTokens),
    usdMicros: left(pool.capacityUsdMicros, pool.usedUsdMicros, pool.reservedUsdMicros),
  };
}

/**
 * Whether `amount` fits. An exhausted limited dimension rejects even a zero
 * estimate for it: otherwise a cost-only estimate would slip past a spent token
 * limit (and the actual tokens would be charged anyway).
 */
export function fits(available: Available, amount: Amount): boolean {
  const ok = (avail: number | undefined, needed: number): boolean =>
    avail === undefined || (needed <= avail && avail > 0);
  return ok(available.tokens, amount.tokens) && ok(available.usdMicros, amount.usdMicros);
}

/** The pool as it stands at `now`: a fresh, zeroed balance and a new epoch if a later period began. */
export function rolledOver(pool: PoolState, now: number): PoolState {
  const start = currentPeriodStart(pool.period, pool.periodStart, now);
  if (start === pool.periodStart) return pool;
  return {
    ...pool,
    periodStart: start,
    epoch: pool.epoch + 1,
    usedTokens: 0,
    reservedTokens: 0,
    usedUsdMicros: 0,
    reservedUsdMicros: 0,
  };
}

/** Adds a hold (sign 1) or takes one back (sign -1) within the current epoch. */
export function withHold(pool: PoolState, amount: Amount, sign: 1 | -1): PoolState {
  return {
    ...pool,
    reservedTokens: Math.max(0, pool.reservedTokens + sign * amount.tokens),
    reservedUsdMicros: Math.max(0, pool.reservedUsdMicros + sign * amount.usdMicros),
  };
}

/** Charges actual usage. */
export function withUse(pool: PoolState, amount: Amount): PoolState {
  return {
    ...pool,
    usedTokens: pool.usedTokens + amount.tokens,
    usedUsdMicros: pool.usedUsdMicros + amount.usdMicros,
  };
}

/** A new pool with nothing used or held, its period starting now. Shared by every store. */
export function newPool(name: string, limits: PoolLimits, now: number): PoolState {
  return {
    name,
    capacityTokens: limits.capacityTokens,
    capacityUsdMicros: limits.capacityUsdMicros,
    period: limits.period,
    periodStart: initialPeriodStart(limits.period, now),
    epoch: 0,
    usedTokens: 0,
    reservedTokens: 0,
    usedUsdMicros: 0,
    reservedUsdMicros: 0,
  };
}

/**
 * A pool with a patch applied, or undefined when the patch would leave it with
 * no capacity at all. A new period kind keeps the balance (and epoch, so holds
 * still count) but re-anchors it: it resets at the end of the new kind's
 * current period.
 */
export function patched(pool: PoolState, patch: PoolPatch, now: number): PoolState | undefined {
  const capacityTokens = patch.capacityTokens === undefined ? pool.capacityTokens : (patch.capacityTokens ?? undefined);
  const capacityUsdMicros = patch.capacityUsdMicros === undefined ? pool.capacityUsdMicros : (patch.capacityUsdMicros ?? undefined);
  if (capacityTokens === undefined && capacityUsdMicros === undefined) return undefined;
  const period = patch.period ?? pool.period;
  const periodStart = period === pool.period || period === "none" ? pool.periodStart : initialPeriodStart(period, now);
  return { ...pool, capacityTokens, capacityUsdMicros, period, periodStart };
}
