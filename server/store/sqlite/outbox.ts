/**
 * The outbox in a SQLite file (by default <data dir>/outbox.db), so settlements waiting for the
 * budget store survive kill -9. Several processes may share the file: each entry names the store
 * it belongs to (`store`: the SQLite path or the Redis URL without credentials, plus the prefix),
 * and a process lists only its own store's entries, so a test's Redis never receives another's
 * charges. Retrying an entry that another process also retries is harmless (settlements are
 * idempotent). WAL and synchronous=NORMAL: an entry written survives the process dying.
 */
import Database from "better-sqlite3";

import type { Outbox, OutboxEntry } from "../../core/accounting/outbox.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  charge_id TEXT NOT NULL,
  store     TEXT NOT NULL,
  added_at  INTEGER NOT NULL,
  entry     TEXT NOT NULL,
  PRIMARY KEY (store, charge_id)
) STRICT;
CREATE INDEX IF NOT EXISTS outbox_age ON outbox (store, added_at);
`;

export class SqliteOutbox implements Outbox {
  readonly durable = true;
  readonly #db: Database.Database;
  readonly #add: Database.Statement<[string, string, number, string]>;
  readonly #remove: Database.Statement<[string, string]>;
  readonly #list: Database.Statement<[string, number], { entry: string }>;
  readonly #count: Database.Statement<[string], number>;

  constructor(
    file: string,
    private readonly store: string,
  ) {
    this.#db = new Database(file);
    try {
      this.#db.pragma("busy_timeout = 2000");
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = NORMAL");
      this.#db.exec(SCHEMA);
    } catch (err) {
      this.#db.close();
      throw err;
    }
    this.#add = this.#db.prepare("INSERT OR REPLACE INTO outbox (charge_id, store, added_at, entry) VALUES (?, ?, ?, ?)");
    this.#remove = this.#db.prepare("DELETE FROM outbox WHERE charge_id = ? AND store = ?");
    this.#list = this.#db.prepare("SELECT entry FROM outbox WHERE store = ? ORDER BY added_at LIMIT ?");
    this.#count = this.#db.prepare<[string], number>("SELECT count(*) FROM outbox WHERE store = ?").pluck();
  }

  add(entry: OutboxEntry): void {
    this.#add.run(entry.settlement.chargeId, this.store, entry.addedAt, JSON.stringify(entry));
  }

  remove(chargeId: string): void {
    this.#remove.run(chargeId, this.store);
  }

  list(limit: number): OutboxEntry[] {
    return this.#list.all(this.store, limit).map((row) => JSON.parse(row.entry) as OutboxEntry);
  }

  count(): number {
    return this.#count.get(this.store) as number;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
