/** The SQLite budget store's prepared statements, prepared once per open file. */
import type { Database, Statement } from "better-sqlite3";

import { UNKNOWN_GROUP, type UsageGroupKey } from "../../core/budget/report.js";
import type { UsageQuery } from "../budget-store.js";
import type { PoolRow, ReservationRow, UsageRow } from "./rows.js";
import { reportParts, UsageDaily } from "./usage-daily.js";

const POOL_COLUMNS =
  "name, capacity_tokens, capacity_usd_micros, period, period_start, epoch, used_tokens, reserved_tokens, used_usd_micros, reserved_usd_micros";
const USAGE_COLUMNS =
  "time, pool, reservation_id, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, audio_tokens, cost_usd_micros, provider, cache_hit, model, key, request_id, team";
const params = (columns: string): string => columns.split(", ").map((c) => `@${c}`).join(", ");

export class BudgetStatements {
  readonly pool: Statement<[string], PoolRow>;
  readonly poolNames: Statement<[], string>;
  readonly insertPool: Statement<[PoolRow]>;
  readonly savePool: Statement<[PoolRow]>;
  readonly reservation: Statement<[string], ReservationRow>;
  readonly due: Statement<[string, number], ReservationRow>;
  readonly duePools: Statement<[number], string>;
  readonly insertReservation: Statement<[ReservationRow]>;
  readonly finish: Statement<[{ id: string; status: string; at: number; tokens: number | null; usd: number | null }]>;
  readonly forgetFinished: Statement<[number]>;
  readonly holds: Statement<[string], { count: number; until: number | null }>;
  readonly insertCharge: Statement<[string, number]>;
  readonly forgetCharges: Statement<[number]>;
  readonly insertUsage: Statement<[UsageRow]>;
  /** The daily sums every usage record is added to (insert both: recordUsage). */
  readonly daily: UsageDaily;
  readonly #usageQueries = new Map<string, Statement<unknown[], unknown>>();
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
    this.pool = db.prepare(`SELECT ${POOL_COLUMNS} FROM pools WHERE name = ?`);
    this.poolNames = db.prepare<[], string>("SELECT name FROM pools ORDER BY name").pluck();
    this.insertPool = db.prepare(`INSERT INTO pools (${POOL_COLUMNS}) VALUES (${params(POOL_COLUMNS)})`);
    this.savePool = db.prepare(
      `UPDATE pools SET ${POOL_COLUMNS.split(", ")
        .slice(1)
        .map((c) => `${c} = @${c}`)
        .join(", ")} WHERE name = @name`,
    );
    this.reservation = db.prepare("SELECT * FROM reservations WHERE id = ?");
    this.due = db.prepare(
      "SELECT * FROM reservations WHERE pool = ? AND status = 'active' AND expires_at <= ? ORDER BY expires_at",
    );
    this.duePools = db
      .prepare<[number], string>("SELECT DISTINCT pool FROM reservations WHERE status = 'active' AND expires_at <= ?")
      .pluck();
    this.insertReservation = db.prepare(
      `INSERT INTO reservations (id, pool, tokens, usd_micros, created_at, expires_at, epoch, status, finished_at, linked, of)
       VALUES (@id, @pool, @tokens, @usd_micros, @created_at, @expires_at, @epoch, @status, @finished_at, @linked, @of)`,
    );
    this.finish = db.prepare(
      "UPDATE reservations SET status = @status, finished_at = @at, charged_tokens = @tokens, charged_usd_micros = @usd WHERE id = @id",
    );
    this.forgetFinished = db.prepare("DELETE FROM reservations WHERE status <> 'active' AND finished_at <= ?");
    this.holds = db.prepare("SELECT count(*) AS count, max(expires_at) AS until FROM reservations WHERE pool = ? AND status = 'active'");
    // OR IGNORE: changes === 0 tells a repeated id.
    this.insertCharge = db.prepare("INSERT OR IGNORE INTO charges (id, at) VALUES (?, ?)");
    this.forgetCharges = db.prepare("DELETE FROM charges WHERE at <= ?");
    this.insertUsage = db.prepare(`INSERT INTO usage (${USAGE_COLUMNS}) VALUES (${params(USAGE_COLUMNS)})`);
    this.daily = new UsageDaily(db);
  }

  /** A usage record and its day's sums (inside the caller's transaction). */
  recordUsage(row: UsageRow): void {
    this.insertUsage.run(row);
    this.daily.add(row);
  }

  /** SELECT usage by optional pool, key, team and [start, end), in time order; one statement per shape, each on an index. */
  usage(q: UsageQuery): UsageRow[] {
    const { where, args } = usageWhere(q);
    return this.#cached(`SELECT ${USAGE_COLUMNS} FROM usage${where} ORDER BY time, seq`).all(...args) as UsageRow[];
  }

  /**
   * The same records summed per group in SQL (no rows to JavaScript): whole days from the daily
   * sums, partial days from the records (usage-daily.ts); rows of one group are summed by the caller.
   */
  usageSums(q: UsageQuery, by: UsageGroupKey): UsageSumRow[] {
    return reportParts(q).flatMap((part) => {
      const daily = part.from === "usage_daily";
      const { where, args } = usageWhere({ ...q, start: part.start, end: part.end }, daily ? "day" : "time");
      const group = daily && by === "day" ? DAY_SQL("day") : GROUP_SQL[by];
      const requests = daily ? "total(requests)" : "count(*)";
      const hits = daily ? "total(cache_hits)" : "total(cache_hit)";
      return this.#cached(
        `SELECT ${group} AS grp, ${requests} AS requests, total(input_tokens) AS input_tokens, total(cached_input_tokens) AS cached_input_tokens,
          total(output_tokens) AS output_tokens, total(reasoning_tokens) AS reasoning_tokens, total(audio_tokens) AS audio_tokens,
          total(cost_usd_micros) AS cost_usd_micros, ${hits} AS cache_hits FROM ${part.from}${where} GROUP BY grp`,
      ).all(...args) as UsageSumRow[];
    });
  }

  #cached(sql: string): Statement<unknown[], unknown> {
    let stmt = this.#usageQueries.get(sql);
    if (!stmt) this.#usageQueries.set(sql, (stmt = this.#db.prepare<unknown[], unknown>(sql)));
    return stmt;
  }
}

/** One group of usageSums. */
export interface UsageSumRow {
  grp: string;
  requests: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  audio_tokens: number;
  cost_usd_micros: number;
  cache_hits: number;
}

const DAY_SQL = (column: string) => `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;
/** report.ts groupOf() in SQL: "(unknown)" where the value is missing. */
const unknownIfEmpty = (column: string) => `coalesce(nullif(${column}, ''), '${UNKNOWN_GROUP}')`;
const GROUP_SQL: Record<UsageGroupKey, string> = {
  pool: "pool",
  model: unknownIfEmpty("model"),
  provider: unknownIfEmpty("provider"),
  key: unknownIfEmpty("key"),
  team: unknownIfEmpty("team"),
  day: DAY_SQL("time"),
};

function usageWhere(q: UsageQuery, time: "time" | "day" = "time"): { where: string; args: unknown[] } {
  const clauses: string[] = [];
  const args: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    clauses.push(clause);
    args.push(value);
  };
  if (q.pool !== undefined) add("pool = ?", q.pool);
  if (q.key !== undefined) add("key = ?", q.key);
  if (q.team !== undefined) add("team = ?", q.team);
  if (q.start !== undefined) add(`${time} >= ?`, q.start);
  if (q.end !== undefined) add(`${time} < ?`, q.end);
  return { where: clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "", args };
}
