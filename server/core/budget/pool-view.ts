/** What callers see of a pool: its limits and balance in the current period. */
import type { Holds, PoolState, PoolWithHolds } from "../../store/budget-store.js";
import { periodEndAfter } from "./period.js";
import type { BudgetPeriodKind } from "./period.js";

export interface PoolView {
  readonly name: string;
  readonly capacityTokens?: number | undefined;
  readonly capacityUsdMicros?: number | undefined;
  readonly period: BudgetPeriodKind;
  readonly usedTokens: number;
  readonly reservedTokens: number;
  readonly usedUsdMicros: number;
  readonly reservedUsdMicros: number;
  /** ms; for "none", when the pool was created. */
  readonly periodStart: number;
  /** ms, exclusive; undefined for "none". */
  readonly periodEnd?: number | undefined;
  /** Active holds (getPool / listPools only). */
  readonly holds?: Holds | undefined;
}

export function toPoolView(p: PoolState | PoolWithHolds): PoolView {
  return {
    name: p.name,
    capacityTokens: p.capacityTokens,
    capacityUsdMicros: p.capacityUsdMicros,
    period: p.period,
    usedTokens: p.usedTokens,
    reservedTokens: p.reservedTokens,
    usedUsdMicros: p.usedUsdMicros,
    reservedUsdMicros: p.reservedUsdMicros,
    periodStart: p.periodStart,
    periodEnd: periodEndAfter(p.period, p.periodStart),
    holds: "holds" in p ? p.holds : undefined,
  };
}
