/**
 * BudgetStore: where pools, reservations and usage records live.
 *
 * Every method is one atomic step against the store: the memory store runs it
 * synchronously, a Redis store runs it as one Lua script, a SQLite store as one
 * transaction. Callers pass `now` (ms) so time comes from one injected clock and
 * tests can move it; stores never read the wall clock.
 *
 * Semantics every implementation must keep (test/budget/store-contract.ts checks them):
 * - Before an operation touches a pool it drops that pool's reservations whose
 *   expiresAt <= now (their hold returns), then rolls the balance over to the
 *   current period (see core/budget/period.ts and core/budget/balance.ts).
 * - A reservation belongs to the pool epoch it was made in; a rollover bumps the
 *   epoch and zeroes reserved, so finishing an older-epoch reservation subtracts nothing.
 * - Commit always adds the actual amount to used, even past capacity.
 * - Finished reservations (committed, released, expired) are remembered for a
 *   while, so a repeat is told apart from an id never seen; a committed one keeps
 *   what it charged, so a repeated commit answers the same (idempotent by id).
 * - A commit appends its usage record in the same atomic step as the charge, so
 *   the balance and the usage report agree at every instant (also after kill -9).
 * - charge() is idempotent by entry id: an id seen within the retention charges nothing again.
 * - A reservation may hold in linked pools too (an API key's and its team's budget): it is
 *   made in every pool or in none, and its commit charges every pool it holds in, release gives
 *   every hold back, each in the same one step (both or neither). A linked hold is an ordinary
 *   hold of its pool (it expires with it and counts in its holds) under the id linkedId(id, pool),
 *   which cannot itself be committed or released. A charge with linked pools charges them all.
 * Results are fresh copies; mutating them never changes the store.
 */
import type { BudgetPeriodKind } from "../core/budget/period.js";
import type { UsageGroupKey, UsageReport } from "../core/budget/report.js";

export type { BudgetPeriodKind };

/**
 * How long finished reservations and charge ids are remembered (ms): a commit or charge retried
 * within this window is applied once. It bounds how long a store outage may last for a retried
 * commit whose first reply was lost to still count once ([store] finished_retention_ms).
 */
export const DEFAULT_FINISHED_RETENTION_MS = 60 * 60_000;

/** Tokens and micro-USD; both non-negative integers. */
export interface Amount {
  readonly tokens: number;
  readonly usdMicros: number;
}

/** What an admin sets. An unset capacity means no limit on that dimension. */
export interface PoolLimits {
  readonly capacityTokens?: number | undefined;
  readonly capacityUsdMicros?: number | undefined;
  readonly period: BudgetPeriodKind;
}

export interface PoolState extends PoolLimits {
  readonly name: string;
  /** Start (ms) of the period the balance counts; creation time for "none". */
  readonly periodStart: number;
  /** Bumped on every rollover; see Reservation.epoch. */
  readonly epoch: number;
  readonly usedTokens: number;
  readonly reservedTokens: number;
  readonly usedUsdMicros: number;
  readonly reservedUsdMicros: number;
}

export interface Reservation extends Amount {
  readonly id: string;
  readonly pool: string;
  /** Further pools the same amount is held in (and charged to at commit); none when empty. */
  readonly linked?: readonly string[] | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The pool epoch it was made in: its hold counts only while the epoch is current. */
  readonly epoch: number;
}

/** What is left per dimension; undefined means that dimension has no limit. */
export interface Available {
  readonly tokens?: number | undefined;
  readonly usdMicros?: number | undefined;
}

export type ReserveOutcome =
  | { readonly status: "reserved"; readonly reservation: Reservation; readonly pool: PoolState }
  | {
      readonly status: "over-budget";
      readonly pool: PoolState;
      readonly available: Available;
      readonly needed: Amount;
    }
  /** `missing`: the pool that does not exist (the reservation's own, or a linked one). */
  | { readonly status: "no-pool"; readonly missing?: string | undefined };

/** The id of a reservation's hold in linked pool `pool` (an internal id: never committed or released itself). */
export function linkedId(id: string, pool: string): string {
  return `${id}@${pool}`;
}

export type FinishedStatus = "committed" | "released" | "expired";

/** Outcome of commit and release. */
export type FinishOutcome =
  | { readonly status: "done"; readonly reservation: Reservation; readonly pool: PoolState }
  | { readonly status: "unknown" }
  | {
      readonly status: FinishedStatus;
      readonly reservation: Reservation;
      readonly at: number;
      /** For "committed": what that commit charged. */
      readonly charged?: Amount | undefined;
    };

/**
 * A charge made without a reservation, idempotent by `id`: a commit whose reservation is gone
 * (expired, forgotten), a request admitted while the store was down (fail-open), or a usage
 * record that charges nothing (no pool; a cache hit with amount 0).
 */
export interface ChargeEntry {
  readonly id: string;
  /** Further pools charged the same amount (those that exist), in the same step. */
  readonly linked?: readonly string[] | undefined;
  /** What the record's pool is charged ("" pool: nothing; only the record is kept). */
  readonly amount: Amount;
  readonly record: UsageRecord;
}

/**
 * charged: added to the pool's used (even past capacity) and recorded; recorded: no pool (or it
 * no longer exists), the record alone is kept; duplicate: the id was charged before, nothing done.
 */
export type ChargeOutcome = "charged" | "recorded" | "duplicate";

/** A pool's active holds: how many, and when the last of them expires (ms; undefined when none). */
export interface Holds {
  readonly count: number;
  readonly until?: number | undefined;
}

export type PoolWithHolds = PoolState & { readonly holds: Holds };

export type CreatePoolOutcome =
  | { readonly status: "created"; readonly pool: PoolState }
  | { readonly status: "exists"; readonly pool: PoolState };

/** A change to limits: a missing key keeps the value, null clears a capacity (no limit). */
export interface PoolPatch {
  readonly capacityTokens?: number | null;
  readonly capacityUsdMicros?: number | null;
  readonly period?: BudgetPeriodKind;
}

export type UpdatePoolOutcome =
  | { readonly status: "updated"; readonly pool: PoolState }
  | { readonly status: "no-pool" }
  /** The patch would leave the pool with neither capacity; nothing changed. */
  | { readonly status: "no-capacity"; readonly pool: PoolState };

/** One finished request's usage, appended at commit. */
export interface UsageRecord {
  readonly time: number;
  readonly pool: string;
  readonly reservationId: string;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly audioTokens: number;
  readonly costUsdMicros: number;
  readonly provider: string;
  readonly cacheHit: boolean;
  readonly model?: string | undefined;
  /** The API key's name (never the secret). */
  readonly key?: string | undefined;
  /** The key's team, when it has one. */
  readonly team?: string | undefined;
  /** The request's id (x-request-id), tying the record to the request that used it. */
  readonly requestId?: string | undefined;
}

/** A commit's usage record: the store fills in the reservation's pool. */
export type CommitRecord = Omit<UsageRecord, "pool">;

/** start inclusive, end exclusive; unset bounds are open. */
export interface UsageQuery {
  readonly pool?: string | undefined;
  readonly start?: number | undefined;
  readonly end?: number | undefined;
  /** Only records of this API key id. */
  readonly key?: string | undefined;
  /** Only records of this team. */
  readonly team?: string | undefined;
}

export interface BudgetStore {
  getPool(name: string, now: number): Promise<PoolWithHolds | undefined>;
  /** Sorted by name. */
  listPools(now: number): Promise<PoolWithHolds[]>;
  createPool(name: string, limits: PoolLimits, now: number): Promise<CreatePoolOutcome>;
  /** Changing the period keeps the balance and re-anchors it to the new kind's current period. */
  updatePool(name: string, patch: PoolPatch, now: number): Promise<UpdatePoolOutcome>;

  /**
   * Holds `amount` in `pool` and in every `linked` pool if it fits every limited dimension of
   * each: all holds or none (over-budget names the first pool it does not fit, no-pool the first
   * missing one).
   */
  reserve(pool: string, amount: Amount, ttlMs: number, now: number, linked?: readonly string[]): Promise<ReserveOutcome>;
  /**
   * Drops the hold, charges `actual` to the pool's current period and appends `record` (when
   * given, with the reservation's pool), all in one step. A repeat answers "committed" with what
   * the first commit charged.
   */
  commit(reservationId: string, actual: Amount, now: number, record?: CommitRecord): Promise<FinishOutcome>;
  /** Drops the hold without charging anything. */
  release(reservationId: string, now: number): Promise<FinishOutcome>;
  /**
   * A reservation (active or still remembered as finished) as it was made, changing nothing;
   * undefined when unknown. Its pool and amount never change, so a check made on it before a
   * commit or release holds (BudgetService checks the caller may use the pool, rpc/budget.ts).
   */
  getReservation(reservationId: string): Promise<Reservation | undefined>;
  /** Drops every abandoned reservation (expiresAt <= now) and forgets old finished ones and charge ids; returns how many expired. */
  expire(now: number): Promise<number>;

  /** Applies the entries in order, in one atomic step; one outcome per entry. */
  charge(entries: readonly ChargeEntry[], now: number): Promise<ChargeOutcome[]>;
  /** Records in time order. */
  queryUsage(query: UsageQuery): Promise<UsageRecord[]>;
  /** The records of `query` summed per group and in total (core/budget/report.ts), in the store where it can. */
  usageReport(query: UsageQuery, by: UsageGroupKey): Promise<UsageReport>;
}
