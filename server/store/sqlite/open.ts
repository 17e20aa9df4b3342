/**
 * Opening a SQLite budget file: WAL journal, the chosen synchronous level,
 * a busy timeout, then the schema migrations.
 *
 * Durability: in WAL mode a transaction is committed once its frames are in the
 * WAL file. With synchronous=NORMAL (the default here) the WAL is written at
 * every commit but fsynced only at checkpoints, so a committed transaction
 * survives the process dying (kill -9, a crash: the data is already in the OS),
 * and only an OS crash or power loss can roll back the newest commits (the file
 * is never corrupted). synchronous=FULL also fsyncs the WAL at every commit:
 * durable across power loss, at the price of one fsync per commit.
 */
import Database from "better-sqlite3";

import { migrate } from "./schema.js";

export type SqliteSynchronous = "normal" | "full";

export interface SqliteOpenOptions {
  /** Default "normal" (see above). */
  readonly synchronous?: SqliteSynchronous;
  /**
   * How long a statement waits for another connection's write lock (ms).
   * better-sqlite3 waits synchronously, blocking the event loop: the store is
   * meant for one gateway process; keep this short. Default 2000.
   */
  readonly busyTimeoutMs?: number;
}

export function openBudgetDatabase(file: string, options: SqliteOpenOptions = {}): Database.Database {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 2000)}`);
    const mode = db.pragma("journal_mode = WAL", { simple: true }) as string;
    if (mode.toLowerCase() !== "wal" && file !== ":memory:") {
      throw new Error(`budget store ${file}: could not switch to WAL journal mode (got ${mode})`);
    }
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
