/**
 * MemoryKeyStore: the KeyStore of one process ([store] kind = "memory"). Every method runs to its
 * end before its promise settles, so each is atomic under Node's single thread. Records are
 * frozen copies, so what a reader holds never changes under it.
 */
import type { KeyChanges, KeyStore, KeyWriteOutcome, StoredKey, StoredTeam, TeamWriteOutcome, Versioned } from "../../core/keys/types.js";

export class MemoryKeyStore implements KeyStore {
  #version = 0;
  readonly #keys = new Map<string, Versioned<StoredKey>>();
  readonly #teams = new Map<string, Versioned<StoredTeam>>();
  readonly #used = new Map<string, number>();
  /** name → id of the unrevoked key holding it (a name is unique among unrevoked keys). */
  readonly #names = new Map<string, string>();

  async version(): Promise<number> {
    return this.#version;
  }

  async changes(since: number): Promise<KeyChanges> {
    return {
      version: this.#version,
      keys: [...this.#keys.values()].filter((k) => k.version > since),
      teams: [...this.#teams.values()].filter((t) => t.version > since),
    };
  }

  async getKey(id: string): Promise<Versioned<StoredKey> | undefined> {
    return this.#keys.get(id);
  }

  async getTeam(name: string): Promise<Versioned<StoredTeam> | undefined> {
    return this.#liveTeam(name);
  }

  async createKey(key: StoredKey): Promise<KeyWriteOutcome> {
    if (this.#keys.has(key.id)) return { status: "conflict" };
    return this.#writeKey(key);
  }

  async replaceKey(key: StoredKey, expected: number): Promise<KeyWriteOutcome> {
    const old = this.#keys.get(key.id);
    if (!old) return { status: "not-found" };
    if (old.version !== expected) return { status: "conflict" };
    return this.#writeKey(key);
  }

  async createTeam(team: StoredTeam): Promise<TeamWriteOutcome> {
    if (this.#liveTeam(team.name)) return { status: "exists" };
    return this.#writeTeam(team);
  }

  async replaceTeam(team: StoredTeam, expected: number): Promise<TeamWriteOutcome> {
    const old = this.#liveTeam(team.name);
    if (!old) return { status: "not-found" };
    if (old.version !== expected) return { status: "conflict" };
    return this.#writeTeam(team);
  }

  async deleteTeam(name: string, expected: number, now: number): Promise<TeamWriteOutcome> {
    const old = this.#liveTeam(name);
    if (!old) return { status: "not-found" };
    if (old.version !== expected) return { status: "conflict" };
    const members = [...this.#keys.values()].filter((k) => k.team === name && k.revokedAt === undefined).length;
    if (members > 0) return { status: "in-use", keys: members };
    const { version: _v, ...team } = old;
    return this.#writeTeam({ ...team, deletedAt: now });
  }

  async touch(used: ReadonlyMap<string, number>): Promise<void> {
    for (const [id, at] of used) if (at > (this.#used.get(id) ?? 0)) this.#used.set(id, at);
  }

  async lastUsed(): Promise<Map<string, number>> {
    return new Map(this.#used);
  }

  #writeKey(key: StoredKey): KeyWriteOutcome {
    if (key.revokedAt === undefined) {
      const holder = this.#names.get(key.name);
      if (holder !== undefined && holder !== key.id) return { status: "name-taken", holder };
      if (key.team !== undefined && !this.#liveTeam(key.team)) return { status: "no-team" };
    }
    const old = this.#keys.get(key.id);
    if (old && this.#names.get(old.name) === key.id) this.#names.delete(old.name);
    if (key.revokedAt === undefined) this.#names.set(key.name, key.id);
    const version = ++this.#version;
    this.#keys.set(key.id, Object.freeze({ ...key, version }));
    return { status: "ok", version };
  }

  #liveTeam(name: string): Versioned<StoredTeam> | undefined {
    const team = this.#teams.get(name);
    return team?.deletedAt === undefined ? team : undefined;
  }

  #writeTeam(team: StoredTeam): TeamWriteOutcome {
    const version = ++this.#version;
    this.#teams.set(team.name, Object.freeze({ ...team, version }));
    return { status: "ok", version };
  }
}
