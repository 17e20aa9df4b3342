/**
 * RedisBudgetStore: the BudgetStore on Redis, shared by every gateway replica.
 * Each step that checks and changes state is ONE Lua script (lua-scripts.ts),
 * so Redis runs it atomically against every other replica's steps. TypeScript
 * passes `now` and the period starts at `now` (core/budget/period.ts); the
 * scripts apply the balance rules (lua-lib.ts mirrors core/budget/balance.ts).
 * Usage records live in one sorted set per pool, scored by record time, so a
 * report reads a time range directly. Redis must be standalone (or every key in
 * one slot): scripts compute key names from the prefix.
 */
import { randomUUID } from "node:crypto";

import { Code, ConnectError } from "@connectrpc/connect";
import type { Redis } from "ioredis";

import { availableOf } from "../../core/budget/balance.js";
import { periodStartAt } from "../../core/budget/period.js";
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
import { summarizeUsage, type UsageGroupKey, type UsageReport } from "../../core/budget/report.js";
import { decodeUsage, encodeUsage, toPool, toPoolWithHolds, toReservation } from "./codec.js";
import { withReplyDeadline } from "./deadline.js";
import { fromRedisError } from "./errors.js";
import type { RedisConnectionOptions } from "./connection.js";
import * as lua from "./lua-scripts.js";
import { connectWithScripts, DEFAULT_REPLY_TIMEOUT_MS, LuaScript } from "./scripts.js";

export const DEFAULT_REDIS_PREFIX = "hoosh:";

export interface RedisBudgetStoreOptions {
  /** Prefix of every key. Default "hoosh:". */
  readonly prefix?: string;
  /** How long finished reservations and charge ids are remembered, so a repeat is not "unknown". Default 1 h. */
  readonly finishedRetentionMs?: number;
  readonly newId?: () => string;
  /**
   * Clock of the background release of holds whose reserve reply was lost (the one place this
   * store reads time itself: nobody is waiting to pass it). Default Date.now.
   */
  readonly clock?: () => number;
  /** How often those releases are retried while Redis does not answer. Default 1000 ms. */
  readonly orphanRetryMs?: number;
  /** Bound on a script's reply (ms), measured on Redis's round trip (deadline.ts). Default 1000. */
  readonly commandTimeoutMs?: number;
}

const SCRIPTS = {
  getPool: new LuaScript("get-pool", lua.GET_POOL),
  listPools: new LuaScript("list-pools", lua.LIST_POOLS),
  createPool: new LuaScript("create-pool", lua.CREATE_POOL),
  updatePool: new LuaScript("update-pool", lua.UPDATE_POOL),
  reserve: new LuaScript("reserve", lua.RESERVE),
  finish: new LuaScript("finish", lua.FINISH),
  expire: new LuaScript("expire", lua.EXPIRE),
  charge: new LuaScript("charge", lua.CHARGE),
  queryUsage: new LuaScript("query-usage", lua.QUERY_USAGE),
} as const;

type Reply = string[];

export class RedisBudgetStore implements BudgetStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #newId: () => string;
  readonly #ownsClient: boolean;
  readonly #clock: () => number;
  readonly #orphanRetryMs: number;
  readonly #timeoutMs: number;
  /**
   * Reservations whose script was sent but whose reply never came (timeout, dropped link): the
   * script may run when Redis answers again, leaving a hold nobody commits. Their ids are made
   * here, so they are released once Redis is back ("unknown" when the script never ran).
   */
  readonly #orphans = new Set<string>();
  #orphanTimer: NodeJS.Timeout | undefined;

  /** Connects to `url` (redis://HOST:PORT/DB), loads the scripts, and owns the connection (close() ends it). */
  static async connect(
    url: string,
    options: RedisBudgetStoreOptions & RedisConnectionOptions = {},
  ): Promise<RedisBudgetStore> {
    return new RedisBudgetStore(await connectWithScripts(url, options, Object.values(SCRIPTS)), options, true);
  }

  /** Over a client the caller made (and closes), e.g. one connection shared by stores with different prefixes. */
  constructor(client: Redis, options: RedisBudgetStoreOptions = {}, ownsClient = false) {
    this.#client = client;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#retentionMs = options.finishedRetentionMs ?? DEFAULT_FINISHED_RETENTION_MS;
    this.#newId = options.newId ?? randomUUID;
    this.#ownsClient = ownsClient;
    this.#clock = options.clock ?? Date.now;
    this.#orphanRetryMs = options.orphanRetryMs ?? 1000;
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
  }

  /** Its connection, for other Redis state of the same replica (rate windows) to share. */
  get client(): Redis {
    return this.#client;
  }

  /** Holds that may exist without an owner, still to be released. */
  get orphanCount(): number {
    return this.#orphans.size;
  }

  async close(): Promise<void> {
    clearTimeout(this.#orphanTimer);
    if (!this.#ownsClient) return;
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  async getPool(name: string, now: number): Promise<PoolWithHolds | undefined> {
    const reply = (await this.#run(SCRIPTS.getPool, now, name)) as Reply | null;
    return reply ? toPoolWithHolds(reply) : undefined;
  }

  async listPools(now: number): Promise<PoolWithHolds[]> {
    return ((await this.#run(SCRIPTS.listPools, now)) as Reply[]).map(toPoolWithHolds);
  }

  async createPool(name: string, limits: PoolLimits, now: number): Promise<CreatePoolOutcome> {
    const [status, pool] = (await this.#run(
      SCRIPTS.createPool,
      now,
      name,
      limits.capacityTokens === undefined ? "" : String(limits.capacityTokens),
      limits.capacityUsdMicros === undefined ? "" : String(limits.capacityUsdMicros),
      limits.period,
    )) as [CreatePoolOutcome["status"], Reply];
    return { status, pool: toPool(pool) };
  }

  async updatePool(name: string, patch: PoolPatch, now: number): Promise<UpdatePoolOutcome> {
    const cap = (v: number | null | undefined): string => (v === undefined ? "" : v === null ? "null" : String(v));
    const [status, pool] = (await this.#run(
      SCRIPTS.updatePool,
      now,
      name,
      cap(patch.capacityTokens),
      cap(patch.capacityUsdMicros),
      patch.period ?? "",
    )) as ["updated" | "no-capacity" | "no-pool", Reply | undefined];
    return status === "no-pool" ? { status } : { status, pool: toPool(pool as Reply) };
  }

  async reserve(name: string, amount: Amount, ttlMs: number, now: number, linked: readonly string[] = []): Promise<ReserveOutcome> {
    const id = this.#newId();
    const needed = { tokens: amount.tokens, usdMicros: amount.usdMicros };
    const expiresAt = now + ttlMs;
    let reply;
    try {
      reply = await this.#run(SCRIPTS.reserve, now, name, id, String(needed.tokens), String(needed.usdMicros), String(expiresAt), ...linked);
    } catch (err) {
      if (ConnectError.from(err).code === Code.Unavailable) this.#releaseLater(id);
      throw err;
    }
    const [status, flat] = reply as ["reserved" | "over-budget" | "no-pool", Reply | string];
    if (status === "no-pool") return { status, missing: flat as string };
    const pool = toPool(flat as Reply);
    if (status === "over-budget") return { status, pool, available: availableOf(pool), needed };
    // The script held `needed` in this epoch, so the reservation's epoch is the returned pool's.
    const reservation = { id, pool: name, ...(linked.length > 0 ? { linked: [...linked] } : {}), ...needed, createdAt: now, expiresAt, epoch: pool.epoch };
    return { status, reservation, pool };
  }

  #releaseLater(id: string): void {
    this.#orphans.add(id);
    if (this.#orphanTimer) return;
    this.#orphanTimer = setTimeout(() => {
      this.#orphanTimer = undefined;
      void (async () => {
        for (const orphan of [...this.#orphans]) {
          try {
            await this.release(orphan, this.#clock());
            this.#orphans.delete(orphan);
          } catch {
            break; // still unreachable: all of them wait for the next round
          }
        }
        if (this.#orphans.size > 0) this.#releaseLater([...this.#orphans][0]!);
      })();
    }, this.#orphanRetryMs);
    this.#orphanTimer.unref();
  }

  async commit(id: string, actual: Amount, now: number, record?: CommitRecord): Promise<FinishOutcome> {
    // The script puts the reservation's pool in front of the record's other fields.
    const usage = record ? [encodeUsage(record).slice(1), String(record.time)] : ["", ""];
    return this.#finish(id, now, "committed", String(actual.tokens), String(actual.usdMicros), ...usage);
  }

  async release(id: string, now: number): Promise<FinishOutcome> {
    return this.#finish(id, now, "released", "0", "0", "", "");
  }

  async getReservation(id: string): Promise<Reservation | undefined> {
    let r: (string | null)[];
    try {
      r = await withReplyDeadline(this.#client.hmget(`${this.#prefix}res:${id}`, "pool", "tokens", "usd", "created", "expires", "epoch", "linked"), this.#timeoutMs);
    } catch (err) {
      throw fromRedisError(err);
    }
    return r[0] === null ? undefined : toReservation(id, [...r.slice(0, 6).map((v) => v ?? "0"), r[6] ?? ""]);
  }

  async expire(now: number): Promise<number> {
    return Number(await this.#run(SCRIPTS.expire, now));
  }

  async charge(entries: readonly ChargeEntry[], now: number): Promise<ChargeOutcome[]> {
    if (entries.length === 0) return [];
    const args: string[] = [];
    for (const e of entries) {
      args.push(e.id, e.record.pool, String(e.amount.tokens), String(e.amount.usdMicros), String(e.record.time), encodeUsage(e.record), (e.linked ?? []).join(","));
    }
    return (await this.#run(SCRIPTS.charge, now, ...args)) as ChargeOutcome[];
  }

  async queryUsage(query: UsageQuery): Promise<UsageRecord[]> {
    const min = query.start === undefined ? "-inf" : String(query.start);
    const max = query.end === undefined ? "+inf" : `(${query.end}`;
    const members = (await this.#run(SCRIPTS.queryUsage, 0, query.pool ?? "", min, max)) as string[];
    const rows = members.map(decodeUsage).filter((r) => (query.key === undefined || r.record.key === query.key) && (query.team === undefined || r.record.team === query.team));
    rows.sort((a, b) => a.record.time - b.record.time || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    return rows.map((r) => r.record);
  }

  async usageReport(query: UsageQuery, by: UsageGroupKey): Promise<UsageReport> {
    return summarizeUsage(await this.queryUsage(query), by);
  }

  async #finish(id: string, now: number, status: Exclude<FinishedStatus, "expired">, ...args: string[]): Promise<FinishOutcome> {
    const reply = (await this.#run(SCRIPTS.finish, now, id, status, ...args)) as [string, Reply?, (Reply | string)?, string?, string?];
    const [outcome, res, third, ct, cu] = reply;
    if (outcome === "unknown") return { status: "unknown" };
    const reservation = toReservation(id, res as Reply);
    if (outcome === "done") return { status: "done", reservation, pool: toPool(third as Reply) };
    const charged = ct ? { tokens: Number(ct), usdMicros: Number(cu) } : undefined;
    return { status: outcome as FinishedStatus, reservation, at: Number(third), charged };
  }

  /** Runs a script with the shared ARGV head: prefix, now, the hourly/daily/monthly starts at now, the retention. */
  #run(script: LuaScript, now: number, ...args: string[]): Promise<unknown> {
    const head = [
      this.#prefix,
      String(now),
      String(periodStartAt("hourly", now)),
      String(periodStartAt("daily", now)),
      String(periodStartAt("monthly", now)),
      String(this.#retentionMs),
    ];
    return script.run(this.#client, [...head, ...args], this.#timeoutMs);
  }
}
