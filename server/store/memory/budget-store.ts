/**
 * MemoryBudgetStore: the BudgetStore for one process. Every method does all its
 * work synchronously before its promise settles, so each is atomic under Node's
 * single thread (no interleaving between reading a balance and changing it).
 * Pool records are immutable values, replaced whole, so returning them is safe.
 */
import { randomUUID } from "node:crypto";

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
import { summarizeUsage, type UsageGroupKey, type UsageReport } from "../../core/budget/report.js";
import { MemoryUsageLog } from "./usage-log.js";

/** A hold as kept here: a linked one names the reservation it belongs to. */
type Held = Reservation & { readonly of?: string };

export interface MemoryBudgetStoreOptions {
  /** How long finished reservations and charge ids are remembered, so a repeat is not "unknown". Default 1 h. */
  readonly finishedRetentionMs?: number;
  readonly maxUsageRecords?: number;
  readonly newId?: () => string;
}

interface Finished {
  readonly reservation: Held;
  readonly status: FinishedStatus;
  readonly at: number;
  readonly charged?: Amount | undefined;
}

export class MemoryBudgetStore implements BudgetStore {
  readonly #pools = new Map<string, PoolState>();
  readonly #active = new Map<string, Held>();
  readonly #activeByPool = new Map<string, Set<string>>();
  /** Per pool, a lower bound on its earliest expiresAt: the hot path scans only when it has passed. */
  readonly #nextExpiry = new Map<string, number>();
  readonly #finished = new Map<string, Finished>();
  /** Charge ids seen (charge()), with when: a repeat within the retention charges nothing. */
  readonly #charged = new Map<string, number>();
  readonly #usage: MemoryUsageLog;
  readonly #retentionMs: number;
  readonly #newId: () => string;

  constructor(options: MemoryBudgetStoreOptions = {}) {
    this.#retentionMs = options.finishedRetentionMs ?? DEFAULT_FINISHED_RETENTION_MS;
    this.#usage = new MemoryUsageLog(options.maxUsageRecords);
    this.#newId = options.newId ?? randomUUID;
  }

  async getPool(name: string, now: number): Promise<PoolWithHolds | undefined> {
    const pool = this.#current(name, now);
    return pool && { ...pool, holds: this.#holds(name) };
  }

  async listPools(now: number): Promise<PoolWithHolds[]> {
    const names = [...this.#pools.keys()].sort();
    return names.map((name) => ({ ...(this.#current(name, now) as PoolState), holds: this.#holds(name) }));
  }

  async createPool(name: string, limits: PoolLimits, now: number): Promise<CreatePoolOutcome> {
    const existing = this.#current(name, now);
    if (existing) return { status: "exists", pool: existing };
    const pool = newPool(name, limits, now);
    this.#pools.set(name, pool);
    return { status: "created", pool };
  }

  async updatePool(name: string, patch: PoolPatch, now: number): Promise<UpdatePoolOutcome> {
    const pool = this.#current(name, now);
    if (!pool) return { status: "no-pool" };
    const updated = patched(pool, patch, now);
    if (!updated) return { status: "no-capacity", pool };
    this.#pools.set(name, updated);
    return { status: "updated", pool: updated };
  }

  async reserve(name: string, amount: Amount, ttlMs: number, now: number, linked: readonly string[] = []): Promise<ReserveOutcome> {
    const pools: PoolState[] = [];
    for (const n of [name, ...linked]) {
      const pool = this.#current(n, now);
      if (!pool) return { status: "no-pool", missing: n };
      pools.push(pool);
    }
    for (const pool of pools) {
      const available = availableOf(pool);
      if (!fits(available, amount)) return { status: "over-budget", pool, available, needed: amount };
    }
    const base = { tokens: amount.tokens, usdMicros: amount.usdMicros, createdAt: now, expiresAt: now + ttlMs };
    const id = this.#newId();
    const reservation: Reservation = { id, pool: name, ...(linked.length > 0 ? { linked: [...linked] } : {}), ...base, epoch: pools[0]!.epoch };
    this.#hold(reservation);
    linked.forEach((n, i) => this.#hold({ id: linkedId(id, n), pool: n, ...base, epoch: pools[i + 1]!.epoch, of: id }));
    return { status: "reserved", reservation, pool: this.#pools.get(name) as PoolState };
  }

  #hold(r: Held): void {
    this.#active.set(r.id, r);
    let ids = this.#activeByPool.get(r.pool);
    if (!ids) this.#activeByPool.set(r.pool, (ids = new Set()));
    ids.add(r.id);
    this.#nextExpiry.set(r.pool, Math.min(this.#nextExpiry.get(r.pool) ?? Infinity, r.expiresAt));
    this.#pools.set(r.pool, withHold(this.#pools.get(r.pool) as PoolState, r, 1));
  }

  async commit(id: string, actual: Amount, now: number, record?: CommitRecord): Promise<FinishOutcome> {
    const out = this.#finishActive(id, now, "committed", actual);
    if (out.status === "done" && record) this.#usage.append({ ...record, pool: out.reservation.pool });
    return out;
  }

  async release(id: string, now: number): Promise<FinishOutcome> {
    return this.#finishActive(id, now, "released", undefined);
  }

  async getReservation(id: string): Promise<Reservation | undefined> {
    const r = this.#active.get(id) ?? this.#finished.get(id)?.reservation;
    if (!r) return undefined;
    const { of: _of, ...copy } = r;
    return copy;
  }

  async expire(now: number): Promise<number> {
    let expired = 0;
    for (const name of this.#nextExpiry.keys()) expired += this.#expirePool(name, now);
    for (const [id, f] of this.#finished) {
      if (f.at + this.#retentionMs <= now) this.#finished.delete(id);
    }
    for (const [id, at] of this.#charged) {
      if (at + this.#retentionMs <= now) this.#charged.delete(id);
    }
    return expired;
  }

  async charge(entries: readonly ChargeEntry[], now: number): Promise<ChargeOutcome[]> {
    return entries.map((e) => {
      if (this.#charged.has(e.id)) return "duplicate";
      this.#charged.set(e.id, now);
      this.#usage.append(e.record);
      for (const n of e.linked ?? []) this.#use(n, now, e.amount);
      return e.record.pool !== "" && this.#use(e.record.pool, now, e.amount) ? "charged" : "recorded";
    });
  }

  async queryUsage(query: UsageQuery): Promise<UsageRecord[]> {
    return this.#usage.query(query);
  }

  async usageReport(query: UsageQuery, by: UsageGroupKey): Promise<UsageReport> {
    return summarizeUsage(this.#usage.query(query), by);
  }

  /** Charges `amount` to pool `name` as it stands at `now`; false when there is no such pool. */
  #use(name: string, now: number, amount: Amount): boolean {
    const pool = this.#current(name, now);
    if (pool) this.#pools.set(name, withUse(pool, amount));
    return pool !== undefined;
  }

  /** The pool at `now`: abandoned holds dropped, then rolled to the current period. */
  #current(name: string, now: number): PoolState | undefined {
    if (!this.#pools.has(name)) return undefined;
    this.#expirePool(name, now);
    const rolled = rolledOver(this.#pools.get(name) as PoolState, now);
    this.#pools.set(name, rolled);
    return rolled;
  }

  #finishActive(id: string, now: number, status: FinishedStatus, actual: Amount | undefined): FinishOutcome {
    const reservation = this.#active.get(id);
    // A linked hold is finished with its reservation, never by its own id.
    if ((reservation ?? this.#finished.get(id)?.reservation)?.of !== undefined) return { status: "unknown" };
    if (reservation) this.#current(reservation.pool, now); // may expire this very reservation
    if (!reservation || !this.#active.has(id)) {
      const f = this.#finished.get(id);
      return f ? { status: f.status, reservation: f.reservation, at: f.at, charged: f.charged } : { status: "unknown" };
    }
    this.#finish(reservation, status, now, actual);
    if (actual) this.#pools.set(reservation.pool, withUse(this.#pools.get(reservation.pool) as PoolState, actual));
    // Its linked pools in the same step: each hold given back (if still held), each charged.
    for (const n of reservation.linked ?? []) {
      if (!this.#current(n, now)) continue;
      const held = this.#active.get(linkedId(id, n));
      if (held) this.#finish(held, status, now, actual);
      if (actual) this.#use(n, now, actual);
    }
    return { status: "done", reservation, pool: this.#pools.get(reservation.pool) as PoolState };
  }

  #expirePool(name: string, now: number): number {
    const next = this.#nextExpiry.get(name);
    if (next === undefined || now < next) return 0;
    let expired = 0;
    let earliest = Infinity;
    for (const id of this.#activeByPool.get(name) ?? []) {
      const r = this.#active.get(id) as Held;
      if (r.expiresAt <= now) {
        this.#finish(r, "expired", r.expiresAt);
        expired++;
      } else {
        earliest = Math.min(earliest, r.expiresAt);
      }
    }
    if (earliest === Infinity) this.#nextExpiry.delete(name);
    else this.#nextExpiry.set(name, earliest);
    return expired;
  }

  /** Takes a reservation out of the active set; its hold returns only if its epoch is still current. */
  #finish(r: Held, status: FinishedStatus, at: number, charged?: Amount): void {
    this.#active.delete(r.id);
    this.#activeByPool.get(r.pool)?.delete(r.id);
    const pool = this.#pools.get(r.pool) as PoolState;
    if (pool.epoch === r.epoch) this.#pools.set(r.pool, withHold(pool, r, -1));
    this.#finished.set(r.id, { reservation: r, status, at, charged });
  }

  #holds(name: string): { count: number; until?: number } {
    const ids = this.#activeByPool.get(name);
    if (!ids || ids.size === 0) return { count: 0 };
    let until = 0;
    for (const id of ids) until = Math.max(until, (this.#active.get(id) as Reservation).expiresAt);
    return { count: ids.size, until };
  }
}
