/** Script replies (lua-lib.ts flat(), FINISH's reservation) and usage members to and from the store's values. */
import type { BudgetPeriodKind } from "../../core/budget/period.js";
import type { PoolState, PoolWithHolds, Reservation, UsageRecord } from "../budget-store.js";

const num = (s: string | undefined): number => Number(s);
const opt = (s: string | undefined): number | undefined => (s === undefined || s === "" ? undefined : Number(s));

/** {name, period, start, epoch, used_t, res_t, used_u, res_u, cap_t|'', cap_u|''} */
export function toPool(flat: readonly string[]): PoolState {
  return {
    name: flat[0] as string,
    period: flat[1] as BudgetPeriodKind,
    periodStart: num(flat[2]),
    epoch: num(flat[3]),
    usedTokens: num(flat[4]),
    reservedTokens: num(flat[5]),
    usedUsdMicros: num(flat[6]),
    reservedUsdMicros: num(flat[7]),
    capacityTokens: opt(flat[8]),
    capacityUsdMicros: opt(flat[9]),
  };
}

/** toPool's fields, then the active holds' count and last expiry ('' when none). */
export function toPoolWithHolds(flat: readonly string[]): PoolWithHolds {
  return { ...toPool(flat), holds: { count: num(flat[10]), until: opt(flat[11]) } };
}

/** {pool, tokens, usd, created, expires, epoch, linked pools 'a,b' or '' (optional)} */
export function toReservation(id: string, flat: readonly string[]): Reservation {
  const linked = flat[6] ? flat[6].split(",") : [];
  return {
    id,
    pool: flat[0] as string,
    ...(linked.length > 0 ? { linked } : {}),
    tokens: num(flat[1]),
    usdMicros: num(flat[2]),
    createdAt: num(flat[3]),
    expiresAt: num(flat[4]),
    epoch: num(flat[5]),
  };
}

export function encodeUsage(r: UsageRecord | Omit<UsageRecord, "pool">): string {
  return JSON.stringify(r);
}

const SEQ_DIGITS = 16;

/** A zset member: 16-digit sequence, then the record's JSON. */
export function decodeUsage(member: string): { seq: string; record: UsageRecord } {
  return { seq: member.slice(0, SEQ_DIGITS), record: JSON.parse(member.slice(SEQ_DIGITS)) as UsageRecord };
}
