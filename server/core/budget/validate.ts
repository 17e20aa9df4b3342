/**
 * Input checks shared by every budget edge (RPC, REST, pipeline, config). Each
 * takes the field path its caller knows the value by, so the message names it.
 */
import { BUDGET_PERIODS } from "./period.js";
import type { BudgetPeriodKind } from "./period.js";
import { invalidArgument } from "./errors.js";

/** The same rule as pool names in hoosh.toml; "key:" and "team:" names are the pools of API keys' and teams' own budgets. */
const POOL_NAME = /^(?:(?:key|team):)?[a-z0-9][a-z0-9._-]*$/;
const MANAGED = /^(?:key|team):/;

/** The pool holding API key `id`'s own budget (made and changed by KeysService only). */
export function keyPool(id: string): string {
  return `key:${id}`;
}

/** The pool holding team `name`'s own budget. */
export function teamPool(name: string): string {
  return `team:${name}`;
}

/** True for the pools of keys' and teams' own budgets: KeysService manages them, CreatePool and UpdatePool may not. */
export function isManagedPool(name: string): boolean {
  return MANAGED.test(name);
}

/** Longest reservation TTL: holds must not outlive a day's worth of drift. */
export const MAX_TTL_MS = 86_400_000;

export function checkPoolName(value: string, field: string): void {
  if (!POOL_NAME.test(value)) {
    const rule = 'use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit';
    throw invalidArgument(field, `${JSON.stringify(value)} is not a valid pool name; ${rule}`);
  }
}

/**
 * A count (tokens, micro-USD, capacity) as a number: a whole number from 0 to
 * 2^53-1. The wire carries int64 as bigint; the ledger counts in exact JS numbers.
 */
export function checkCount(value: number | bigint, field: string): number {
  if (value < 0) throw invalidArgument(field, `${value} is negative; must be 0 or more`);
  const ok = typeof value === "bigint" ? value <= BigInt(Number.MAX_SAFE_INTEGER) : Number.isSafeInteger(value);
  if (!ok) {
    throw invalidArgument(field, `${value} is not allowed; must be a whole number up to ${Number.MAX_SAFE_INTEGER}`);
  }
  return Number(value);
}

export function checkPeriod(value: string, field: string): asserts value is BudgetPeriodKind {
  if (!(BUDGET_PERIODS as readonly string[]).includes(value)) {
    throw invalidArgument(field, `${JSON.stringify(value)} is not one of: ${BUDGET_PERIODS.join(", ")}`);
  }
}

export function checkTtlMs(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_TTL_MS) {
    throw invalidArgument(field, `${value} is not allowed; must be between 1 and ${MAX_TTL_MS} ms (one day)`);
  }
}

export function checkReservationId(value: string, field: string): void {
  if (value === "") throw invalidArgument(field, `"" is not allowed; a reservation id is required`);
}
