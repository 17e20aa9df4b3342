/**
 * SqliteKeyStore: API keys and teams in the budget's SQLite file (migration 4 of schema.ts), on
 * a connection of its own. Each write is one IMMEDIATE transaction that checks (name free among
 * unrevoked keys, team there, version unchanged), bumps key_meta's version and stamps the record
 * with it. version() is one indexed read: what the directory polls.
 */
import type { Database, Statement } from "better-sqlite3";

import type { KeyChanges, KeyStore, KeyWriteOutcome, StoredKey, StoredTeam, TeamWriteOutcome, Versioned } from "../../core/keys/types.js";
import { fromSqliteError } from "./errors.js";
import { openBudgetDatabase, type SqliteOpenOptions } from "./open.js";

interface Row {
  version: number;
  record: string;
}

const parse = <T>(row: Row): Versioned<T> => ({ ...(JSON.parse(row.record) as T), version: row.version });

export class SqliteKeyStore implements KeyStore {
  readonly #db: Database;
  readonly #st: {
    version: Statement<[], number>;
    bump: Statement<[], number>;
    keysSince: Statement<[number], Row>;
    teamsSince: Statement<[number], Row>;
    key: Statement<[string], Row>;
    team: Statement<[string], Row & { deleted_at: number | null }>;
    holder: Statement<[string, string], string>;
    members: Statement<[string], number>;
    putKey: Statement<[{ id: string; name: string; team: string | null; revoked_at: number | null; version: number; record: string }]>;
    putTeam: Statement<[{ name: string; deleted_at: number | null; version: number; record: string }]>;
    touch: Statement<[string, number]>;
    used: Statement<[], { id: string; at: number }>;
  };

  static open(file: string, options: SqliteOpenOptions = {}): SqliteKeyStore {
    try {
      return new SqliteKeyStore(openBudgetDatabase(file, options));
    } catch (err) {
      throw fromSqliteError(err);
    }
  }

  private constructor(db: Database) {
    this.#db = db;
    this.#st = {
      version: db.prepare<[], number>("SELECT value FROM key_meta WHERE name = 'version'").pluck(),
      bump: db.prepare<[], number>("UPDATE key_meta SET value = value + 1 WHERE name = 'version' RETURNING value").pluck(),
      keysSince: db.prepare("SELECT version, record FROM api_keys WHERE version > ? ORDER BY version"),
      teamsSince: db.prepare("SELECT version, record FROM teams WHERE version > ? ORDER BY version"),
      key: db.prepare("SELECT version, record FROM api_keys WHERE id = ?"),
      team: db.prepare("SELECT version, record, deleted_at FROM teams WHERE name = ?"),
      holder: db.prepare<[string, string], string>("SELECT id FROM api_keys WHERE name = ? AND id <> ? AND revoked_at IS NULL").pluck(),
      members: db.prepare<[string], number>("SELECT count(*) FROM api_keys WHERE team = ? AND revoked_at IS NULL").pluck(),
      putKey: db.prepare(
        `INSERT INTO api_keys (id, name, team, revoked_at, version, record) VALUES (@id, @name, @team, @revoked_at, @version, @record)
         ON CONFLICT (id) DO UPDATE SET name = @name, team = @team, revoked_at = @revoked_at, version = @version, record = @record`,
      ),
      putTeam: db.prepare(
        `INSERT INTO teams (name, deleted_at, version, record) VALUES (@name, @deleted_at, @version, @record)
         ON CONFLICT (name) DO UPDATE SET deleted_at = @deleted_at, version = @version, record = @record`,
      ),
      touch: db.prepare("INSERT INTO key_last_used (id, at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at)"),
      used: db.prepare("SELECT id, at FROM key_last_used"),
    };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  async version(): Promise<number> {
    try {
      return this.#st.version.get() ?? 0;
    } catch (err) {
      throw fromSqliteError(err);
    }
  }

  async changes(since: number): Promise<KeyChanges> {
    return this.#run(
      () => ({
        version: this.#st.version.get() ?? 0,
        keys: this.#st.keysSince.all(since).map((r) => parse<StoredKey>(r)),
        teams: this.#st.teamsSince.all(since).map((r) => parse<StoredTeam>(r)),
      }),
      "deferred",
    );
  }

  async getKey(id: string): Promise<Versioned<StoredKey> | undefined> {
    return this.#run(() => {
      const row = this.#st.key.get(id);
      return row && parse<StoredKey>(row);
    }, "deferred");
  }

  async getTeam(name: string): Promise<Versioned<StoredTeam> | undefined> {
    return this.#run(() => this.#liveTeam(name), "deferred");
  }

  async createKey(key: StoredKey): Promise<KeyWriteOutcome> {
    return this.#run(() => (this.#st.key.get(key.id) ? { status: "conflict" } : this.#writeKey(key)));
  }

  async replaceKey(key: StoredKey, expected: number): Promise<KeyWriteOutcome> {
    return this.#run(() => {
      const old = this.#st.key.get(key.id);
      if (!old) return { status: "not-found" };
      if (old.version !== expected) return { status: "conflict" };
      return this.#writeKey(key);
    });
  }

  async createTeam(team: StoredTeam): Promise<TeamWriteOutcome> {
    return this.#run(() => (this.#liveTeam(team.name) ? { status: "exists" } : this.#writeTeam(team)));
  }

  async replaceTeam(team: StoredTeam, expected: number): Promise<TeamWriteOutcome> {
    return this.#run(() => {
      const old = this.#liveTeam(team.name);
      if (!old) return { status: "not-found" };
      return old.version === expected ? this.#writeTeam(team) : { status: "conflict" };
    });
  }

  async deleteTeam(name: string, expected: number, now: number): Promise<TeamWriteOutcome> {
    return this.#run(() => {
      const old = this.#liveTeam(name);
      if (!old) return { status: "not-found" };
      if (old.version !== expected) return { status: "conflict" };
      const keys = this.#st.members.get(name) ?? 0;
      if (keys > 0) return { status: "in-use", keys };
      const { version: _v, ...team } = old;
      return this.#writeTeam({ ...team, deletedAt: now });
    });
  }

  async touch(used: ReadonlyMap<string, number>): Promise<void> {
    if (used.size === 0) return;
    this.#run(() => {
      for (const [id, at] of used) this.#st.touch.run(id, at);
    });
  }

  async lastUsed(): Promise<Map<string, number>> {
    return this.#run(() => new Map(this.#st.used.all().map((r) => [r.id, r.at])), "deferred");
  }

  #liveTeam(name: string): Versioned<StoredTeam> | undefined {
    const row = this.#st.team.get(name);
    return row && row.deleted_at === null ? parse<StoredTeam>(row) : undefined;
  }

  #writeKey(key: StoredKey): KeyWriteOutcome {
    if (key.revokedAt === undefined) {
      const holder = this.#st.holder.get(key.name, key.id);
      if (holder !== undefined) return { status: "name-taken", holder };
      if (key.team !== undefined && !this.#liveTeam(key.team)) return { status: "no-team" };
    }
    const version = this.#st.bump.get() as number;
    this.#st.putKey.run({ id: key.id, name: key.name, team: key.team ?? null, revoked_at: key.revokedAt ?? null, version, record: JSON.stringify(key) });
    return { status: "ok", version };
  }

  #writeTeam(team: StoredTeam): TeamWriteOutcome {
    const version = this.#st.bump.get() as number;
    this.#st.putTeam.run({ name: team.name, deleted_at: team.deletedAt ?? null, version, record: JSON.stringify(team) });
    return { status: "ok", version };
  }

  /** One transaction (IMMEDIATE: write lock first; reads: DEFERRED); SQLite failures as ConnectErrors. */
  #run<R>(step: () => R, mode: "immediate" | "deferred" = "immediate"): R {
    try {
      return this.#db.transaction(step)[mode]();
    } catch (err) {
      throw fromSqliteError(err);
    }
  }
}
