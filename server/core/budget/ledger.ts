/**
 * BudgetLedger: token and cost budgets over a BudgetStore. Reserve an estimate
 * before work starts, then commit the actual usage or release the hold.
 *
 * All time comes from the injected clock, read once per operation. The store
 * makes each step atomic; the ledger validates, maps store outcomes to
 * ConnectErrors and records usage. Field names in errors follow hoosh.v1.
 */
import type { ConnectError } from "@connectrpc/connect";
import type { Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { Amount, BudgetStore, ChargeOutcome, FinishOutcome, PoolPatch, PoolState, UsageRecord } from "../../store/budget-store.js";
import {
  invalidArgument,
  overBudget,
  poolExists,
  poolNotFound,
  reservationExpired,
  reservationCommittedOtherwise,
  reservationFinished,
  reservationNotFound,
} from "./errors.js";
import type { BudgetPeriodKind } from "./period.js";
import { toPoolView } from "./pool-view.js";
import { usageRecord } from "./usage-record.js";
import type { PoolView } from "./pool-view.js";
import type { UsageGroupKey, UsageReport } from "./report.js";
import { checkCount, checkPeriod, checkPoolName, checkReservationId, checkTtlMs } from "./validate.js";

export type { PoolPatch };

export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/** The parts of a hoosh.v1 Usage the ledger reads; a Usage message fits as is. */
export type UsageInput = Pick<
  Usage,
  "inputTokens" | "cachedInputTokens" | "outputTokens" | "reasoningTokens" | "audioTokens" | "provider" | "cacheHit"
> & { readonly costUsdMicros: number | bigint };

/** What the caller knows beyond Usage, for reports. `key` is the API key's name, never its secret. */
export interface CommitContext {
  readonly model?: string | undefined;
  readonly key?: string | undefined;
}

export interface NewPool {
  readonly capacityTokens?: number | undefined;
  readonly capacityUsdMicros?: number | undefined;
  readonly period: BudgetPeriodKind;
}

export interface Reserved {
  readonly reservationId: string;
  readonly expiresAt: number;
  readonly pool: PoolView;
}

export type TryReserved =
  | ({ readonly status: "reserved" } & Reserved)
  /** `missing`: the pool that does not exist (the asked one, or a linked one). */
  | { readonly status: "no-pool"; readonly missing: string }
  | { readonly status: "over-budget"; readonly error: ConnectError; readonly pool: PoolView };

/**
 * One finished request's usage to apply, complete and serializable (the outbox keeps it across
 * restarts): the commit of its reservation, or a charge without one. Applying it again is
 * harmless: a reservation commits once, and a charge id charges once.
 */
export interface Settlement {
  /** The reservation to commit; none: the request ran without one (fail-open, no pool, cache hit). */
  readonly reservationId?: string | undefined;
  /** Idempotency id of the charge made when there is no reservation, or it is gone (expired, forgotten). */
  readonly chargeId: string;
  /** "" when no pool applies: only the record is kept. */
  readonly pool: string;
  /** Further pools charged the same amount (an API key's and its team's budget); none when absent. */
  readonly linked?: readonly string[] | undefined;
  /** What the pool is charged: the record's tokens and cost, or 0 for a free cache hit. */
  readonly amount: Amount;
  /** The usage record (pool and reservationId filled in when applied: the charge id for a charge). */
  readonly record: Omit<UsageRecord, "reservationId" | "pool">;
}

/**
 * committed: the reservation's commit; already: this settlement was applied before (a retry);
 * charged-late: the reservation was gone, so the usage was charged by charge id;
 * recorded: no pool (or it no longer exists): the record alone was kept.
 */
export type SettleOutcome = "committed" | "already" | "charged-late" | "recorded";

/** The pool after a commit, and whether it was a repeat of one already made (nothing charged again). */
export interface Committed {
  readonly pool: PoolView;
  readonly alreadyCommitted: boolean;
  /** What the commit charged (the first one's, for a repeat). */
  readonly charged: Amount;
}

export interface ReportQuery {
  readonly pool?: string | undefined;
  /** Only usage of this API key id / this team. */
  readonly key?: string | undefined;
  readonly team?: string | undefined;
  /** ms inclusive; undefined: from the beginning. */
  readonly start?: number | undefined;
  /** ms exclusive; undefined: up to now (inclusive). */
  readonly end?: number | undefined;
  readonly groupBy: UsageGroupKey;
}

/** Usage counts and their hoosh.v1 field paths, for error messages. */
const USAGE_FIELD = {
  inputTokens: "usage.input_tokens",
  cachedInputTokens: "usage.cached_input_tokens",
  outputTokens: "usage.output_tokens",
  reasoningTokens: "usage.reasoning_tokens",
  audioTokens: "usage.audio_tokens",
} as const;
const USAGE_COUNTS = Object.keys(USAGE_FIELD) as (keyof typeof USAGE_FIELD)[];

/** Checks every count and the cost (InvalidArgument naming the field); returns the cost as a number. */
function checkUsage(usage: UsageInput): number {
  for (const k of USAGE_COUNTS) checkCount(usage[k], USAGE_FIELD[k]);
  return checkCount(usage.costUsdMicros, "usage.cost_usd_micros");
}

function fromCharge(out: ChargeOutcome): SettleOutcome {
  return out === "charged" ? "charged-late" : out === "duplicate" ? "already" : "recorded";
}

export class BudgetLedger {
  constructor(
    private readonly store: BudgetStore,
    private readonly now: () => number = Date.now,
    private readonly defaultTtlMs: number = DEFAULT_RESERVATION_TTL_MS,
  ) {}

  async listPools(): Promise<PoolView[]> {
    return (await this.store.listPools(this.now())).map(toPoolView);
  }

  async getPool(name: string): Promise<PoolView> {
    checkPoolName(name, "name");
    return toPoolView(await this.#existing(name, this.now()));
  }

  async createPool(name: string, spec: NewPool): Promise<PoolView> {
    checkPoolName(name, "pool.name");
    if (spec.capacityTokens !== undefined) checkCount(spec.capacityTokens, "pool.capacity_tokens");
    if (spec.capacityUsdMicros !== undefined) checkCount(spec.capacityUsdMicros, "pool.capacity_usd_micros");
    if (spec.capacityTokens === undefined && spec.capacityUsdMicros === undefined) {
      throw invalidArgument("pool", "neither capacity_tokens nor capacity_usd_micros is set; set at least one");
    }
    checkPeriod(spec.period, "pool.period");
    const out = await this.store.createPool(name, spec, this.now());
    if (out.status === "exists") throw poolExists(name);
    return toPoolView(out.pool);
  }

  /** null in the patch clears a capacity (no limit on that dimension). */
  async updatePool(name: string, patch: PoolPatch): Promise<PoolView> {
    checkPoolName(name, "pool.name");
    if (typeof patch.capacityTokens === "number") checkCount(patch.capacityTokens, "pool.capacity_tokens");
    if (typeof patch.capacityUsdMicros === "number") {
      checkCount(patch.capacityUsdMicros, "pool.capacity_usd_micros");
    }
    if (patch.period !== undefined) checkPeriod(patch.period, "pool.period");
    const out = await this.store.updatePool(name, patch, this.now());
    if (out.status === "no-pool") throw poolNotFound(name);
    if (out.status === "no-capacity") {
      throw invalidArgument(
        "update_mask",
        `the update would leave budget pool ${JSON.stringify(name)} with neither capacity_tokens nor capacity_usd_micros; keep at least one`,
      );
    }
    return toPoolView(out.pool);
  }

  /** Holds `amount` for ttlMs (default 10 min); RESOURCE_EXHAUSTED when it does not fit. */
  async reserve(pool: string, amount: Amount, ttlMs: number = this.defaultTtlMs): Promise<Reserved> {
    const out = await this.tryReserve(pool, amount, ttlMs);
    if (out.status === "no-pool") throw poolNotFound(out.missing);
    if (out.status === "over-budget") throw out.error;
    return out;
  }

  /**
   * reserve() with the outcomes a caller branches on as results, not exceptions (the request
   * path asks the implicit "default" pool on every request: usually not there). With `linked`
   * pools the same amount is held in each of them too, all or none (over-budget names the pool
   * it does not fit); the commit charges them all.
   */
  async tryReserve(pool: string, amount: Amount, ttlMs: number = this.defaultTtlMs, linked: readonly string[] = []): Promise<TryReserved> {
    checkPoolName(pool, "pool");
    for (const name of linked) checkPoolName(name, "linked pool");
    checkCount(amount.tokens, "tokens");
    checkCount(amount.usdMicros, "usd_micros");
    if (amount.tokens === 0 && amount.usdMicros === 0) {
      throw invalidArgument("tokens", "0 tokens and 0 usd_micros reserves nothing; set tokens or usd_micros above 0");
    }
    checkTtlMs(ttlMs, "ttl");
    const needed = { tokens: amount.tokens, usdMicros: amount.usdMicros };
    const others = [...new Set(linked)].filter((name) => name !== pool);
    const out = await this.store.reserve(pool, needed, ttlMs, this.now(), others);
    if (out.status === "no-pool") return { status: "no-pool", missing: out.missing ?? pool };
    if (out.status === "over-budget") return { status: "over-budget", error: overBudget(out.pool.name, out.available, out.needed), pool: toPoolView(out.pool) };
    const { id, expiresAt } = out.reservation;
    return { status: "reserved", reservationId: id, expiresAt, pool: toPoolView(out.pool) };
  }

  /**
   * Replaces the hold with the actual usage (input + output tokens, cost), even
   * when it is more than was reserved, and appends its usage record in the same
   * step. Idempotent: a repeat with the same usage answers the first commit's
   * result (alreadyCommitted); a repeat with other usage is FAILED_PRECONDITION.
   */
  async commit(reservationId: string, usage: UsageInput, context: CommitContext = {}): Promise<Committed> {
    checkReservationId(reservationId, "reservation_id");
    const cost = checkUsage(usage);
    const now = this.now();
    const actual = { tokens: usage.inputTokens + usage.outputTokens, usdMicros: cost };
    const out = await this.store.commit(reservationId, actual, now, usageRecord(now, reservationId, usage, cost, context));
    if (out.status === "committed" && out.charged) {
      if (out.charged.tokens !== actual.tokens || out.charged.usdMicros !== actual.usdMicros) {
        throw reservationCommittedOtherwise(reservationId, out.charged, actual);
      }
      return { pool: await this.getPool(out.reservation.pool), alreadyCommitted: true, charged: out.charged };
    }
    return { pool: toPoolView(this.#finished(reservationId, out)), alreadyCommitted: false, charged: actual };
  }

  /**
   * Applies a finished request's usage so that it is never lost and never counted twice
   * (core/accounting/settle.ts retries it until this answers). Its reservation is committed;
   * one that is gone (expired, released, forgotten) means the commit never ran, so the usage is
   * charged by charge id instead. Throws only when the store fails: the outcome is then unknown
   * and the same settlement may be applied again.
   */
  async settle(s: Settlement): Promise<SettleOutcome> {
    const now = this.now();
    if (s.reservationId !== undefined) {
      const out = await this.store.commit(s.reservationId, s.amount, now, { ...s.record, reservationId: s.reservationId });
      if (out.status === "done") return "committed";
      if (out.status === "committed") return "already";
    }
    return fromCharge((await this.#charge([s], now))[0] as ChargeOutcome);
  }

  /** settle() for settlements without a reservation, in one store step; one outcome each. */
  async settleUnreserved(list: readonly Settlement[]): Promise<SettleOutcome[]> {
    return (await this.#charge(list, this.now())).map(fromCharge);
  }

  /** Gives the hold back unused (error, cancellation). */
  async release(reservationId: string): Promise<PoolView> {
    checkReservationId(reservationId, "reservation_id");
    return toPoolView(this.#finished(reservationId, await this.store.release(reservationId, this.now())));
  }

  async report(query: ReportQuery): Promise<UsageReport> {
    const now = this.now();
    if (query.pool !== undefined) {
      checkPoolName(query.pool, "pool");
      await this.#existing(query.pool, now);
    }
    const { start, end } = query;
    if (start !== undefined && end !== undefined && start > end) {
      throw invalidArgument(
        "start_time",
        `${new Date(start).toISOString()} is after end_time ${new Date(end).toISOString()}; the range must not run backwards`,
      );
    }
    // No end means "up to now" and is left open, so a record of this very millisecond counts.
    return this.store.usageReport({ pool: query.pool, start, end, key: query.key, team: query.team }, query.groupBy);
  }

  /** Drops abandoned reservations in every pool; returns how many. Run it on a timer (see sweeper.ts). */
  async sweep(): Promise<number> {
    return this.store.expire(this.now());
  }

  #charge(list: readonly Settlement[], now: number): Promise<ChargeOutcome[]> {
    return this.store.charge(
      list.map((s) => ({ id: s.chargeId, amount: s.amount, linked: s.linked, record: { ...s.record, pool: s.pool, reservationId: s.chargeId } })),
      now,
    );
  }

  async #existing(name: string, now: number): Promise<PoolState> {
    const pool = await this.store.getPool(name, now);
    if (!pool) throw poolNotFound(name);
    return pool;
  }

  #finished(id: string, out: FinishOutcome): PoolState {
    switch (out.status) {
      case "done":
        return out.pool;
      case "unknown":
        throw reservationNotFound(id);
      case "expired":
        throw reservationExpired(id, out.at);
      case "committed":
      case "released":
        throw reservationFinished(id, out.status);
    }
  }
}
