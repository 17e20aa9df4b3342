/**
 * The request log in the budget's SQLite file (migration 5 of schema.ts), on a connection of its
 * own: append() is one transaction per batch; list() one statement per page, on the index of the
 * most selective filter given, newest first from the page cursor; prune() deletes in batches,
 * yielding between them so the event loop never stalls on a big cleanup.
 */
import type { Database, Statement, Transaction } from "better-sqlite3";

import { ERROR_STATUS, type RequestLogStore, type RequestPage, type RequestQuery, type RequestRecord, type StoredRequest } from "../../core/requests/record.js";
import { fromSqliteError } from "./errors.js";
import { openBudgetDatabase, type SqliteOpenOptions } from "./open.js";

interface Row {
  seq: number;
  time: number;
  key_id: string | null;
  team: string | null;
  model: string;
  provider: string | null;
  status: string;
  record: string;
}

const PRUNE_BATCH = 10_000;

function toRow(r: RequestRecord): Omit<Row, "seq"> {
  const { time, keyId, team, model, provider, status, ...rest } = r;
  return { time, key_id: keyId ?? null, team: team ?? null, model, provider: provider ?? null, status, record: JSON.stringify(rest) };
}

function fromRow(row: Row): StoredRequest {
  const rest = JSON.parse(row.record) as Omit<RequestRecord, "time" | "keyId" | "team" | "model" | "provider" | "status">;
  return {
    ...rest,
    seq: row.seq,
    time: row.time,
    ...(row.key_id === null ? {} : { keyId: row.key_id }),
    ...(row.team === null ? {} : { team: row.team }),
    model: row.model,
    ...(row.provider === null ? {} : { provider: row.provider }),
    status: row.status,
  };
}

export class SqliteRequestLog implements RequestLogStore {
  readonly #db: Database;
  readonly #insert: Statement<[Omit<Row, "seq">]>;
  readonly #pruneOld: Statement<[number, number]>;
  readonly #pruneOver: Statement<[number]>;
  readonly #count: Statement<[], number>;
  readonly #pages = new Map<string, Statement<unknown[], Row>>();
  readonly #append: Transaction<(records: readonly RequestRecord[]) => void>;

  static open(file: string, options: SqliteOpenOptions = {}): SqliteRequestLog {
    try {
      return new SqliteRequestLog(openBudgetDatabase(file, options));
    } catch (err) {
      throw fromSqliteError(err);
    }
  }

  private constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare("INSERT INTO requests (time, key_id, team, model, provider, status, record) VALUES (@time, @key_id, @team, @model, @provider, @status, @record)");
    this.#pruneOld = db.prepare("DELETE FROM requests WHERE seq IN (SELECT seq FROM requests WHERE time < ? ORDER BY time LIMIT ?)");
    this.#pruneOver = db.prepare("DELETE FROM requests WHERE seq IN (SELECT seq FROM requests ORDER BY time, seq LIMIT ?)");
    this.#count = db.prepare<[], number>("SELECT count(*) FROM requests").pluck();
    const insert = this.#insert;
    this.#append = db.transaction((records: readonly RequestRecord[]) => {
      for (const r of records) insert.run(toRow(r));
    });
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  async append(records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      this.#append.immediate(records);
    } catch (err) {
      throw fromSqliteError(err);
    }
  }

  async list(q: RequestQuery): Promise<RequestPage> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, ...values: unknown[]): void => {
      where.push(clause);
      args.push(...values);
    };
    if (q.keyId !== undefined) add("key_id = ?", q.keyId);
    if (q.team !== undefined) add("team = ?", q.team);
    if (q.model !== undefined) add("model = ?", q.model);
    if (q.provider !== undefined) add("provider = ?", q.provider);
    if (q.status === ERROR_STATUS) where.push("status <> 'OK'");
    else if (q.status !== undefined) add("status = ?", q.status);
    if (q.start !== undefined) add("time >= ?", q.start);
    if (q.end !== undefined) add("time < ?", q.end);
    if (q.after) add("(time, seq) < (?, ?)", q.after.time, q.after.seq);
    const sql = `SELECT seq, time, key_id, team, model, provider, status, record FROM requests${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY time DESC, seq DESC LIMIT ?`;
    let stmt = this.#pages.get(sql);
    try {
      if (!stmt) this.#pages.set(sql, (stmt = this.#db.prepare<unknown[], Row>(sql)));
      const rows = stmt.all(...args, q.limit + 1);
      const records = rows.slice(0, q.limit).map(fromRow);
      const last = records[records.length - 1];
      return { records, next: rows.length > q.limit && last ? { time: last.time, seq: last.seq } : undefined };
    } catch (err) {
      throw fromSqliteError(err);
    }
  }

  async prune(before: number, maxRows: number): Promise<number> {
    let dropped = 0;
    try {
      for (;;) {
        const n = this.#pruneOld.run(before, PRUNE_BATCH).changes;
        dropped += n;
        if (n < PRUNE_BATCH) break;
        await yieldTurn();
      }
      for (let over = this.#count.get()! - maxRows; over > 0; over -= PRUNE_BATCH, await yieldTurn()) {
        dropped += this.#pruneOver.run(Math.min(over, PRUNE_BATCH)).changes;
      }
    } catch (err) {
      throw fromSqliteError(err);
    }
    return dropped;
  }
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
