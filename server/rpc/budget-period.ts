// hoosh.v1.BudgetPeriod to and from the ledger's period kinds (BudgetService, KeysService).
// BUDGET_PERIOD_UNSPECIFIED (the field left out) means BUDGET_PERIOD_NONE.
import { BudgetPeriod } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { invalidArgument } from "../core/budget/errors.js";
import type { BudgetPeriodKind } from "../core/budget/period.js";

export const PERIOD_TO_WIRE: Record<BudgetPeriodKind, BudgetPeriod> = {
  none: BudgetPeriod.NONE,
  hourly: BudgetPeriod.HOURLY,
  daily: BudgetPeriod.DAILY,
  monthly: BudgetPeriod.MONTHLY,
};
const PERIOD_FROM_WIRE = new Map<BudgetPeriod, BudgetPeriodKind>([
  [BudgetPeriod.UNSPECIFIED, "none"],
  [BudgetPeriod.NONE, "none"],
  [BudgetPeriod.HOURLY, "hourly"],
  [BudgetPeriod.DAILY, "daily"],
  [BudgetPeriod.MONTHLY, "monthly"],
]);

/** An enum value's full name, e.g. BUDGET_PERIOD_DAILY. */
export function enumName(prefix: string, names: Record<number, string>, value: number): string {
  return `${prefix}_${names[value]}`;
}

export function periodFromWire(value: BudgetPeriod, field: string): BudgetPeriodKind {
  const kind = PERIOD_FROM_WIRE.get(value);
  if (kind !== undefined) return kind;
  const allowed = [...PERIOD_FROM_WIRE.keys()].map((v) => enumName("BUDGET_PERIOD", BudgetPeriod, v));
  throw invalidArgument(field, `${value} is not one of: ${allowed.join(", ")}`);
}
