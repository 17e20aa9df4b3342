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
import { DEFAULT_FINISHED_RETENTION_MS } from "../budget-store.js";
import { MemoryUsageLog } from "./usage-log.js";

export interface MemoryBudgetStoreOptions {
  /** How long finished reservations and charge ids are remembered, so a repeat is not "unknown". Default 1 h. */
  readonly finishedRetentionMs?: number;
  readonly maxUsageRecords?: number;
  readonly newId?: () => string;
}

interface Finished {
  readonly reservation: Reservation;
  readonly status: FinishedStatus;
  readonly at: number;
  readonly charged?: Amount | undefined;
}

export class MemoryBudgetStore implements BudgetStore {
  readonly #pools = new Map<string, PoolState>();
  readonly #active = new Map<string, Reservation>();
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

  async reserve(name: string, amount: Amount, ttlMs: number, now: number): Promise<ReserveOutcome> {
    const pool = this.#current(name, now);
    if (!pool) return { status: "no-pool" };
    const available = availableOf(pool);
    if (!fits(available, amount)) return { status: "over-budget", pool, available, needed: amount };
    const reservation: Reservation = {
      id: this.#newId(),
      pool: name,
      tokens: amount.tokens,
      usdMicros: amount.usdMicros,
      createdAt: now,
      expiresAt: now + ttlMs,
      epoch: pool.epoch,
    };
    this.#active.set(reservation.id, reservation);
    let ids = this.#activeByPool.get(name);
    if (!ids) this.#activeByPool.set(name, (ids = new Set()));
    ids.add(reservation.id);
    this.#nextExpiry.set(name, Math.min(this.#nextExpiry.get(name) ?? Infinity, reservation.expiresAt));
    const held = withHold(pool, amount, 1);
    this.#pools.set(name, held);
    return { status: "reserved", reservation, pool: held };
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
    return r && { ...r };
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
      const pool = e.record.pool === "" ? undefined : this.#current(e.record.pool, now);
      if (!pool) return "recorded";
      this.#pools.set(pool.name, withUse(pool, e.amount));
      return "charged";
    });
  }

  async queryUsage(query: UsageQuery): Promise<UsageRecord[]> {
    return this.#usage.query(query);
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
    if (reservation) this.#current(reservation.pool, now); // may expire this very reservation
    if (!reservation || !this.#active.has(id)) {
      const f = this.#finished.get(id);
      return f ? { status: f.status, reservation: f.reservation, at: f.at, charged: f.charged } : { status: "unknown" };
    }
    this.#finish(reservation, status, now, actual);
    let pool = this.#pools.get(reservation.pool) as PoolState;
    if (actual) this.#pools.set(reservation.pool, (pool = withUse(pool, actual)));
    return { status: "done", reservation, pool };
  }

  #expirePool(name: string, now: number): number {
    const next = this.#nextExpiry.get(name);
    if (next === undefined || now < next) return 0;
    let expired = 0;
    let earliest = Infinity;
    for (const id of this.#activeByPool.get(name) ?? []) {
      const r = this.#active.get(id) as Reservation;
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
  #finish(r: Reservation, status: FinishedStatus, at: number, charged?: Amount): void {
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
