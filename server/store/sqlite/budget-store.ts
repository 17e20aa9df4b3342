/**
 * SqliteBudgetStore: the BudgetStore on one SQLite file (better-sqlite3), for
 * a gateway whose balances and usage must outlive the process.
 *
 * Every method is one BEGIN IMMEDIATE transaction (it takes the write lock
 * before reading, so no other connection can change a balance between the read
 * and the write), built once from the same pure rules the memory store uses
 * (core/budget/balance.ts, period.ts). better-sqlite3 is synchronous: each
 * transaction runs on the event loop, so they stay a few indexed statements
 * (reserve+commit: see bench/micro/budget.ts). Durability: see open.ts.
 */
import { randomUUID } from "node:crypto";

import type { Database, Transaction } from "better-sqlite3";

import { availableOf, fits, newPool, patched, rolledOver, withHold, withUse } from "../../core/budget/balance.js";
import type {
  Amount,
  BudgetStore,
  ChargeEntry,
  ChargeOutcome,
  CommitRecord,
  CreatePoolOutcome,
  FinishedStatus,
  FinishOutcome,
  PoolLimits,
  PoolPatch,
  PoolState,
  PoolWithHolds,
  Reservation,
  ReserveOutcome,
  UpdatePoolOutcome,
  UsageQuery,
  UsageRecord,
} from "../budget-store.js";
import { DEFAULT_FINISHED_RETENTION_MS, linkedId } from "../budget-store.js";
import { sumRows, type UsageGroupKey, type UsageReport } from "../../core/budget/report.js";
import { fromSqliteError } from "./errors.js";
import { openBudgetDatabase } from "./open.js";
import type { SqliteOpenOptions } from "./open.js";
import { fromPool, fromReservation, fromUsage, toPool, toReservation, toUsage } from "./rows.js";
import type { ReservationRow } from "./rows.js";
import { BudgetStatements } from "./statements.js";

export interface SqliteBudgetStoreOptions extends SqliteOpenOptions {
  /** How long finished reservations and charge ids are remembered, so a repeat is not "unknown". Default 1 h. */
  readonly finishedRetentionMs?: number;
  readonly newId?: () => string;
}

export class SqliteBudgetStore implements BudgetStore {
  readonly #db: Database;
  readonly #st: BudgetStatements;
  /** One transaction function for every step: runs the given closure inside BEGIN IMMEDIATE … COMMIT. */
  readonly #atomically: Transaction<(step: () => unknown) => unknown>;
  readonly #retentionMs: number;
  readonly #newId: () => string;

  /** Opens (creating and migrating as needed) the file; ":memory:" works for throwaway use. */
  static open(file: string, options: SqliteBudgetStoreOptions = {}): SqliteBudgetStore {
    try {
      return new SqliteBudgetStore(openBudgetDatabase(file, options), options);
    } catch (err) {
      throw fromSqliteError(err);
    }
  }

  private constructor(db: Database, options: SqliteBudgetStoreOptions) {
    this.#db = db;
    this.#st = new BudgetStatements(db);
    this.#atomically = db.transaction((step: () => unknown) => step());
    this.#retentionMs = options.finishedRetentionMs ?? DEFAULT_FINISHED_RETENTION_MS;
    this.#newId = options.newId ?? randomUUID;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  async getPool(name: string, now: number): Promise<PoolWithHolds | undefined> {
    return this.#step(() => this.#withHolds(this.#current(name, now)));
  }

  async listPools(now: number): Promise<PoolWithHolds[]> {
    return this.#step(() => this.#st.poolNames.all().map((name) => this.#withHolds(this.#current(name, now)) as PoolWithHolds));
  }

  async createPool(name: string, limits: PoolLimits, now: number): Promise<CreatePoolOutcome> {
    return this.#step(() => {
      const existing = this.#current(name, now);
      if (existing) return { status: "exists", pool: existing };
      const pool = newPool(name, limits, now);
      this.#st.insertPool.run(fromPool(pool));
      return { status: "created", pool };
    });
  }

  async updatePool(name: string, patch: PoolPatch, now: number): Promise<UpdatePoolOutcome> {
    return this.#step(() => {
      const pool = this.#current(name, now);
      if (!pool) return { status: "no-pool" };
      const updated = patched(pool, patch, now);
      if (!updated) return { status: "no-capacity", pool };
      this.#st.savePool.run(fromPool(updated));
      return { status: "updated", pool: updated };
    });
  }

  async reserve(name: string, amount: Amount, ttlMs: number, now: number, linked: readonly string[] = []): Promise<ReserveOutcome> {
    return this.#step(() => {
      const pools: PoolState[] = [];
      for (const n of [name, ...linked]) {
        const pool = this.#current(n, now);
        if (!pool) return { status: "no-pool", missing: n };
        pools.push(pool);
      }
      const needed = { tokens: amount.tokens, usdMicros: amount.usdMicros };
      for (const pool of pools) {
        const available = availableOf(pool);
        if (!fits(available, needed)) return { status: "over-budget", pool, available, needed };
      }
      const id = this.#newId();
      const base = { ...needed, createdAt: now, expiresAt: now + ttlMs };
      const reservation = { id, pool: name, ...(linked.length > 0 ? { linked: [...linked] } : {}), ...base, epoch: pools[0]!.epoch };
      this.#st.insertReservation.run(fromReservation(reservation));
      linked.forEach((n, i) => this.#st.insertReservation.run(fromReservation({ id: linkedId(id, n), pool: n, ...base, epoch: pools[i + 1]!.epoch }, id)));
      const held = pools.map((p) => withHold(p, needed, 1));
      for (const p of held) this.#st.savePool.run(fromPool(p));
      return { status: "reserved", reservation, pool: held[0]! };
    });
  }

  async commit(id: string, actual: Amount, now: number, record?: CommitRecord): Promise<FinishOutcome> {
    return this.#step(() => {
      const out = this.#finish(id, now, "committed", actual);
      if (out.status === "done" && record) this.#st.recordUsage(fromUsage({ ...record, pool: out.reservation.pool }));
      return out;
    });
  }

  async release(id: string, now: number): Promise<FinishOutcome> {
    return this.#step(() => this.#finish(id, now, "released", undefined));
  }

  async getReservation(id: string): Promise<Reservation | undefined> {
    const row = this.#step(() => this.#st.reservation.get(id), "deferred");
    return row && toReservation(row);
  }

  async expire(now: number): Promise<number> {
    return this.#step(() => {
      let expired = 0;
      for (const name of this.#st.duePools.all(now)) {
        const row = this.#st.pool.get(name);
        if (row) expired += this.#expireDue(toPool(row), now, true).count;
      }
      this.#st.forgetFinished.run(now - this.#retentionMs);
      this.#st.forgetCharges.run(now - this.#retentionMs);
      return expired;
    });
  }

  async charge(entries: readonly ChargeEntry[], now: number): Promise<ChargeOutcome[]> {
    return this.#step(() =>
      entries.map((e): ChargeOutcome => {
        if (this.#st.insertCharge.run(e.id, now).changes === 0) return "duplicate";
        this.#st.recordUsage(fromUsage(e.record));
        for (const n of e.linked ?? []) this.#use(n, now, e.amount);
        return e.record.pool !== "" && this.#use(e.record.pool, now, e.amount) ? "charged" : "recorded";
      }),
    );
  }

  async queryUsage(query: UsageQuery): Promise<UsageRecord[]> {
    return this.#step(() => this.#st.usage(query).map(toUsage), "deferred");
  }

  async usageReport(query: UsageQuery, by: UsageGroupKey): Promise<UsageReport> {
    const sums = this.#step(() => this.#st.usageSums(query, by), "deferred");
    return sumRows(
      sums.map((r) => ({
        group: r.grp,
        requests: r.requests,
        inputTokens: r.input_tokens,
        cachedInputTokens: r.cached_input_tokens,
        outputTokens: r.output_tokens,
        reasoningTokens: r.reasoning_tokens,
        audioTokens: r.audio_tokens,
        costUsdMicros: r.cost_usd_micros,
        cacheHits: r.cache_hits,
      })),
    );
  }

  /** Charges `amount` to pool `name` as it stands at `now`; false when there is no such pool. */
  #use(name: string, now: number, amount: Amount): boolean {
    const pool = this.#current(name, now);
    if (pool) this.#st.savePool.run(fromPool(withUse(pool, amount)));
    return pool !== undefined;
  }

  /** Runs one store step as one transaction (IMMEDIATE: write lock first; reads: DEFERRED); a throw rolls it back. */
  #step<R>(step: () => R, mode: "immediate" | "deferred" = "immediate"): R {
    try {
      return this.#atomically[mode](step) as R;
    } catch (err) {
      throw fromSqliteError(err);
    }
  }

  #withHolds(pool: PoolState | undefined): PoolWithHolds | undefined {
    if (!pool) return undefined;
    const h = this.#st.holds.get(pool.name) as { count: number; until: number | null };
    return { ...pool, holds: { count: h.count, until: h.until ?? undefined } };
  }

  /** The pool at `now`: abandoned holds dropped, then rolled to the current period (saved if changed). */
  #current(name: string, now: number): PoolState | undefined {
    const row = this.#st.pool.get(name);
    if (!row) return undefined;
    const { pool: swept, count } = this.#expireDue(toPool(row), now, false);
    const rolled = rolledOver(swept, now);
    if (count > 0 || rolled !== swept) this.#st.savePool.run(fromPool(rolled));
    return rolled;
  }

  /** Marks the pool's due reservations expired; their holds return only if their epoch is current. */
  #expireDue(pool: PoolState, now: number, save: boolean): { pool: PoolState; count: number } {
    const due = this.#st.due.all(pool.name, now);
    for (const r of due) {
      this.#st.finish.run({ id: r.id, status: "expired", at: r.expires_at, tokens: null, usd: null });
      if (r.epoch === pool.epoch) pool = withHold(pool, toReservation(r), -1);
    }
    if (save && due.length > 0) this.#st.savePool.run(fromPool(pool));
    return { pool, count: due.length };
  }

  #finish(id: string, now: number, status: FinishedStatus, actual: Amount | undefined): FinishOutcome {
    let row = this.#st.reservation.get(id);
    // A linked hold is finished with its reservation, never by its own id.
    if (!row || row.of != null) return { status: "unknown" };
    let pool: PoolState | undefined;
    if (row.status === "active") {
      pool = this.#current(row.pool, now); // may expire this very reservation
      row = this.#st.reservation.get(id) as ReservationRow;
    }
    const reservation = toReservation(row);
    if (row.status !== "active") {
      const charged = row.charged_tokens == null ? undefined : { tokens: row.charged_tokens, usdMicros: row.charged_usd_micros ?? 0 };
      return { status: row.status, reservation, at: row.finished_at as number, charged };
    }
    if (!pool) throw new Error(`budget store: reservation ${id} belongs to missing pool ${row.pool}`);
    this.#st.finish.run({ id, status, at: now, tokens: actual?.tokens ?? null, usd: actual?.usdMicros ?? null });
    if (pool.epoch === row.epoch) pool = withHold(pool, reservation, -1);
    if (actual) pool = withUse(pool, actual);
    this.#st.savePool.run(fromPool(pool));
    // Its linked pools in the same transaction: each hold given back (if still held), each charged.
    for (const name of reservation.linked ?? []) this.#finishLinked(linkedId(id, name), name, now, status, actual);
    return { status: "done", reservation, pool };
  }

  #finishLinked(id: string, name: string, now: number, status: FinishedStatus, actual: Amount | undefined): void {
    let pool = this.#current(name, now); // may expire the hold
    if (!pool) return;
    const row = this.#st.reservation.get(id);
    if (row?.status === "active") {
      this.#st.finish.run({ id, status, at: now, tokens: actual?.tokens ?? null, usd: actual?.usdMicros ?? null });
      if (pool.epoch === row.epoch) pool = withHold(pool, toReservation(row), -1);
    }
    if (actual) pool = withUse(pool, actual);
    this.#st.savePool.run(fromPool(pool));
  }
}
