/**
 * RedisKeyStore: API keys and teams in Redis, shared by every replica (key-scripts.ts has the
 * layout). It rides on the budget store's connection; each check-and-write is one Lua script, and
 * version() is one GET: what each replica's directory polls to see a change within a second.
 */
import type { Redis } from "ioredis";

import type { KeyChanges, KeyStore, KeyWriteOutcome, StoredKey, StoredTeam, TeamWriteOutcome, Versioned } from "../../core/keys/types.js";
import { withReplyDeadline } from "./deadline.js";
import { fromRedisError } from "./errors.js";
import * as lua from "./key-scripts.js";
import { DEFAULT_REPLY_TIMEOUT_MS, LuaScript } from "./scripts.js";

const SCRIPTS = {
  changes: new LuaScript("key-changes", lua.CHANGES),
  get: new LuaScript("key-get", lua.GET),
  writeKey: new LuaScript("key-write", lua.WRITE_KEY),
  writeTeam: new LuaScript("team-write", lua.WRITE_TEAM),
  touch: new LuaScript("key-touch", lua.TOUCH),
} as const;

/** Pairs of (json, version) as records. */
function records<T>(flat: readonly string[]): Versioned<T>[] {
  const out: Versioned<T>[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ ...(JSON.parse(flat[i]!) as T), version: Number(flat[i + 1]) });
  return out;
}

function keyOutcome(reply: unknown): KeyWriteOutcome {
  const [status, value] = reply as [string, number | string | undefined];
  if (status === "ok") return { status, version: Number(value) };
  if (status === "name-taken") return { status, holder: String(value) };
  return { status: status as "no-team" | "conflict" | "not-found" };
}

function teamOutcome(reply: unknown): TeamWriteOutcome {
  const [status, value] = reply as [string, number | undefined];
  if (status === "ok") return { status, version: Number(value) };
  if (status === "in-use") return { status, keys: Number(value) };
  return { status: status as "exists" | "conflict" | "not-found" };
}

export class RedisKeyStore implements KeyStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly timeoutMs: number = DEFAULT_REPLY_TIMEOUT_MS,
  ) {}

  async version(): Promise<number> {
    try {
      return Number((await withReplyDeadline(this.client.get(`${this.prefix}keys-version`), this.timeoutMs)) ?? 0);
    } catch (err) {
      throw fromRedisError(err);
    }
  }

  async changes(since: number): Promise<KeyChanges> {
    const [version, keys, teams] = (await this.#run(SCRIPTS.changes, String(since))) as [string, string[], string[]];
    return { version: Number(version), keys: records<StoredKey>(keys), teams: records<StoredTeam>(teams) };
  }

  async getKey(id: string): Promise<Versioned<StoredKey> | undefined> {
    return records<StoredKey>((await this.#run(SCRIPTS.get, "keys", id)) as string[])[0];
  }

  async getTeam(name: string): Promise<Versioned<StoredTeam> | undefined> {
    const team = records<StoredTeam>((await this.#run(SCRIPTS.get, "teams", name)) as string[])[0];
    return team?.deletedAt === undefined ? team : undefined;
  }

  async createKey(key: StoredKey): Promise<KeyWriteOutcome> {
    return keyOutcome(await this.#writeKey("create", key, 0));
  }

  async replaceKey(key: StoredKey, expected: number): Promise<KeyWriteOutcome> {
    return keyOutcome(await this.#writeKey("replace", key, expected));
  }

  async createTeam(team: StoredTeam): Promise<TeamWriteOutcome> {
    return teamOutcome(await this.#run(SCRIPTS.writeTeam, "create", team.name, JSON.stringify(team), "0"));
  }

  async replaceTeam(team: StoredTeam, expected: number): Promise<TeamWriteOutcome> {
    return teamOutcome(await this.#run(SCRIPTS.writeTeam, "replace", team.name, JSON.stringify(team), String(expected)));
  }

  async deleteTeam(name: string, expected: number, now: number): Promise<TeamWriteOutcome> {
    const old = await this.getTeam(name);
    if (!old) return { status: "not-found" };
    const { version: _v, ...team } = old;
    // The script writes this tombstone only if the team is still at `expected` (what it was built from).
    return teamOutcome(await this.#run(SCRIPTS.writeTeam, "delete", name, JSON.stringify({ ...team, deletedAt: now }), String(expected)));
  }

  async touch(used: ReadonlyMap<string, number>): Promise<void> {
    if (used.size === 0) return;
    await this.#run(SCRIPTS.touch, ...[...used].flatMap(([id, at]) => [id, String(at)]));
  }

  async lastUsed(): Promise<Map<string, number>> {
    try {
      const all = await withReplyDeadline(this.client.hgetall(`${this.prefix}key-used`), this.timeoutMs);
      return new Map(Object.entries(all).map(([id, at]) => [id, Number(at)]));
    } catch (err) {
      throw fromRedisError(err);
    }
  }

  #writeKey(mode: "create" | "replace", key: StoredKey, expected: number): Promise<unknown> {
    return this.#run(SCRIPTS.writeKey, mode, key.id, JSON.stringify(key), key.name, key.team ?? "", key.revokedAt === undefined ? "" : "1", String(expected));
  }

  #run(script: LuaScript, ...args: string[]): Promise<unknown> {
    return script.run(this.client, [this.prefix, ...args], this.timeoutMs);
  }
}
