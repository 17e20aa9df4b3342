/**
 * The SQLite budget schema and its migrations. `PRAGMA user_version` holds how
 * many migrations a file has had; opening a file applies the missing ones, each
 * in its own IMMEDIATE transaction (so two processes opening one file at once
 * cannot both apply it). Append migrations; never edit a released one.
 */
import type { Database } from "better-sqlite3";
import { USAGE_DAILY_MIGRATION } from "./usage-daily.js";

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
  // 3: reservations holding in linked pools (an API key's and its team's budget, charged both or
  // neither): the primary row lists them, each linked hold is a row of its pool naming its primary;
  // the team of each usage record, and indexes for reports of one key or team.
  `
  ALTER TABLE reservations ADD COLUMN linked TEXT;
  ALTER TABLE reservations ADD COLUMN of TEXT;
  ALTER TABLE usage ADD COLUMN team TEXT;
  CREATE INDEX usage_key_time ON usage (key, time) WHERE key IS NOT NULL;
  CREATE INDEX usage_team_time ON usage (team, time) WHERE team IS NOT NULL;
  `,
  // 4: API keys and teams made at run time (KeysService; store/sqlite/key-store.ts). Each record is
  // JSON plus the columns its checks need; `version` is the change counter's value at its last
  // write (key_meta 'version' holds the newest), so a replica loads only what changed.
  `
  CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    team       TEXT,
    revoked_at INTEGER,
    version    INTEGER NOT NULL,
    record     TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;
  CREATE INDEX api_keys_version ON api_keys (version);
  CREATE INDEX api_keys_team ON api_keys (team) WHERE revoked_at IS NULL;
  CREATE TABLE teams (
    name       TEXT PRIMARY KEY,
    deleted_at INTEGER,
    version    INTEGER NOT NULL,
    record     TEXT NOT NULL
  ) STRICT;
  CREATE INDEX teams_version ON teams (version);
  CREATE TABLE key_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT INTO key_meta (name, value) VALUES ('version', 0);
  CREATE TABLE key_last_used (id TEXT PRIMARY KEY, at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
  `,
  // 5: the request log (store/sqlite/request-log.ts): the filterable fields as columns, the rest
  // as JSON; one index per filter, each ending in (time, seq) so a page is one index range read
  // newest first, and a partial one over failures (status filter "error").
  `
  CREATE TABLE requests (
    seq      INTEGER PRIMARY KEY,
    time     INTEGER NOT NULL,
    key_id   TEXT,
    team     TEXT,
    model    TEXT NOT NULL,
    provider TEXT,
    status   TEXT NOT NULL,
    record   TEXT NOT NULL
  ) STRICT;
  CREATE INDEX requests_time ON requests (time, seq);
  CREATE INDEX requests_key ON requests (key_id, time, seq) WHERE key_id IS NOT NULL;
  CREATE INDEX requests_team ON requests (team, time, seq) WHERE team IS NOT NULL;
  CREATE INDEX requests_model ON requests (model, time, seq);
  CREATE INDEX requests_provider ON requests (provider, time, seq) WHERE provider IS NOT NULL;
  CREATE INDEX requests_status ON requests (status, time, seq);
  CREATE INDEX requests_failed ON requests (time, seq) WHERE status <> 'OK';
  `,
  // 6: daily usage sums for reports over many days (usage-daily.ts), filled from the records so far.
  USAGE_DAILY_MIGRATION,
  // 7: the request log's failures of one key or one team (a page of them reads only failures).
  `
  CREATE INDEX requests_key_failed ON requests (key_id, time, seq) WHERE status <> 'OK' AND key_id IS NOT NULL;
  CREATE INDEX requests_team_failed ON requests (team, time, seq) WHERE status <> 'OK' AND team IS NOT NULL;
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
