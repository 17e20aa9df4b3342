/**
 * The SQLite budget schema and its migrations. `PRAGMA user_version` holds how
 * many migrations a file has had; opening a file applies the missing ones, each
 * in its own IMMEDIATE transaction (so two processes opening one file at once
 * cannot both apply it). Append migrations; never edit a released one.
 */
import type { Database } from "better-sqlite3";

const MIGRATIONS: readonly string[] = [
  // 1: pools, reservations (active and recently finished), usage records.
  `
  CREATE TABLE pools (
    name                TEXT PRIMARY KEY,
    capacity_tokens     INTEGER,
    capacity_usd_micros INTEGER,
    period              TEXT NOT NULL,
    period_start        INTEGER NOT NULL,
    epoch               INTEGER NOT NULL,
    used_tokens         INTEGER NOT NULL,
    reserved_tokens     INTEGER NOT NULL,
    used_usd_micros     INTEGER NOT NULL,
    reserved_usd_micros INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE reservations (
    id          TEXT PRIMARY KEY,
    pool        TEXT NOT NULL,
    tokens      INTEGER NOT NULL,
    usd_micros  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    epoch       INTEGER NOT NULL,
    status      TEXT NOT NULL,   -- active | committed | released | expired
    finished_at INTEGER
  ) STRICT;
  -- The per-operation cleanup: a pool's due holds.
  CREATE INDEX reservations_due ON reservations (pool, expires_at) WHERE status = 'active';
  -- expire(): finished reservations past their retention.
  CREATE INDEX reservations_finished ON reservations (finished_at) WHERE status <> 'active';

  CREATE TABLE usage (
    seq                 INTEGER PRIMARY KEY,
    time                INTEGER NOT NULL,
    pool                TEXT NOT NULL,
    reservation_id      TEXT NOT NULL,
    input_tokens        INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    audio_tokens        INTEGER NOT NULL,
    cost_usd_micros     INTEGER NOT NULL,
    provider            TEXT NOT NULL,
    cache_hit           INTEGER NOT NULL,
    model               TEXT,
    key                 TEXT
  ) STRICT;
  -- Reports: [start, end) over every pool, or over one pool.
  CREATE INDEX usage_time ON usage (time, seq);
  CREATE INDEX usage_pool_time ON usage (pool, time, seq);
  `,
  // 2: what a commit charged (a repeated commit answers the same), the ids of charges made
  // without a reservation (late, fail-open, no pool), so a retried charge is applied once, and
  // the request id of each usage record.
  `
  ALTER TABLE reservations ADD COLUMN charged_tokens INTEGER;
  ALTER TABLE reservations ADD COLUMN charged_usd_micros INTEGER;
  CREATE TABLE charges (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX charges_at ON charges (at);
  ALTER TABLE usage ADD COLUMN request_id TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Brings the file up to SCHEMA_VERSION; refuses a file written by a newer hoosh. */
export function migrate(db: Database, file: string): void {
  const found = userVersion(db);
  if (found > SCHEMA_VERSION) {
    throw new Error(
      `budget store ${file} has schema version ${found}, newer than this hoosh knows (${SCHEMA_VERSION}); upgrade hoosh or use another file`,
    );
  }
  for (let v = found; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      if (userVersion(db) !== v) return; // another process applied it meanwhile
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
