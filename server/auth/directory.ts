// Every API key hoosh accepts, looked up by the sha256 of the presented key with no store round
// trip: the [[keys]] of the config (a KeyRing) and the keys made at run time (KeysService), which
// this process keeps in memory and refreshes from the store. It polls the store's change counter
// (one cheap read every pollMs, default 200 ms) and loads only what changed, so a key created,
// changed or revoked on any replica works (or stops) here within a second. Last-use times are
// noted in memory and written in one batch every touchMs (default 10 s), off the request path.
import type { KeyConfig } from "../config/schema.js";
import type { KeyLimits, KeyStore, StoredKey, StoredTeam, Versioned } from "../core/keys/types.js";
import { digestsEqual, hashKey, KeyRing, type ApiKey, type Lookup } from "./keys.js";
import { ModelMatchers, storedApiKey } from "./stored-key.js";

type LogFn = (level: "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface DirectoryOptions {
  now?: () => number;
  pollMs?: number;
  touchMs?: number;
  log?: LogFn;
}

/** What a hash stands for: a live key's current or previous secret, or a revoked key's. */
interface Entry {
  readonly hash: string;
  readonly record: Versioned<StoredKey>;
  readonly key: ApiKey;
  /** The previous secret during a rotation's grace period: valid until then. */
  readonly until?: number;
}

export class KeyDirectory {
  readonly #config: KeyRing;
  readonly #byHash = new Map<string, Entry>();
  readonly #byId = new Map<string, Entry>();
  readonly #teams = new Map<string, Versioned<StoredTeam>>();
  readonly #models = new ModelMatchers();
  readonly #used = new Map<string, number>();
  readonly #now: () => number;
  readonly #log: LogFn;
  #version = 0;
  #live = 0;
  #timers: NodeJS.Timeout[] = [];
  #polling: Promise<void> | undefined;
  #failing = false;

  constructor(
    keys: readonly KeyConfig[],
    private readonly store: KeyStore | undefined,
    private readonly options: DirectoryOptions = {},
  ) {
    this.#config = new KeyRing(keys);
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => {});
  }

  /** Loads the stored keys, then keeps them fresh until close(). */
  async start(): Promise<void> {
    if (!this.store) return;
    await this.refresh();
    const poll = setInterval(() => void this.refresh().catch(() => undefined), this.options.pollMs ?? 200);
    const touch = setInterval(() => void this.flushUsed(), this.options.touchMs ?? 10_000);
    poll.unref();
    touch.unref();
    this.#timers = [poll, touch];
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#polling?.catch(() => undefined);
    await this.flushUsed();
  }

  /** True when any key is configured or stored (unrevoked): auth is on. */
  get enabled(): boolean {
    return this.#config.enabled || this.#live > 0;
  }

  lookup(presented: string | undefined): Lookup {
    if (presented === undefined) return this.#config.lookup(presented);
    // One sha256 for both places a key can be: the config's keys, then the stored ones.
    const digest = hashKey(presented);
    const found = this.#config.lookupDigest(digest);
    if (found.kind !== "invalid") return found;
    const entry = this.#byHash.get(digest);
    if (!entry || !digestsEqual(digest, entry.hash)) return found;
    const { record } = entry;
    const now = this.#now();
    if (record.revokedAt !== undefined) return { kind: "revoked", id: record.id, at: record.revokedAt };
    if (record.expiresAt !== undefined && record.expiresAt <= now) return { kind: "expired", id: record.id, at: record.expiresAt };
    if (entry.until !== undefined && entry.until <= now) return { kind: "expired", id: record.id, at: entry.until, previous: true };
    this.#used.set(record.id, now);
    return { kind: "ok", key: entry.key };
  }

  /** An enabled key by id (checks made after authentication). */
  byId(id: string): ApiKey | undefined {
    const stored = this.#byId.get(id);
    return stored ? (stored.record.revokedAt === undefined ? stored.key : undefined) : this.#config.byId(id);
  }

  /** rpm / tpm of a key (RateLimiter). */
  keyLimits(id: string): { rpm?: number | undefined; tpm?: number | undefined } | undefined {
    return this.byId(id);
  }

  /** rpm / tpm / max concurrent of a team (RateLimiter, concurrency). */
  teamLimits(name: string): KeyLimits | undefined {
    return this.#teams.get(name)?.limits;
  }

  team(name: string): Versioned<StoredTeam> | undefined {
    return this.#teams.get(name);
  }

  /** The stored keys (revoked ones too) and teams as this process knows them. */
  storedKeys(): Versioned<StoredKey>[] {
    return [...this.#byId.values()].map((e) => e.record);
  }

  storedTeams(): Versioned<StoredTeam>[] {
    return [...this.#teams.values()];
  }

  /** Last-use times noted here and not yet written. */
  pendingUse(id: string): number | undefined {
    return this.#used.get(id);
  }

  /** Reads the change counter and loads what changed (one poll; concurrent calls share it). */
  refresh(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  async flushUsed(): Promise<void> {
    if (!this.store || this.#used.size === 0) return;
    const batch = new Map(this.#used);
    this.#used.clear();
    await this.store.touch(batch).catch((err: unknown) => this.#log("warn", "could not write API keys' last-use times", { keys: batch.size, error: (err as Error).message }));
  }

  async #poll(): Promise<void> {
    try {
      const version = await this.store!.version();
      if (version !== this.#version) this.#apply(await this.store!.changes(this.#version));
      if (this.#failing) this.#log("warn", "API key store reachable again; keys are current");
      this.#failing = false;
    } catch (err) {
      // Keys known so far keep working; changes arrive once the store answers again.
      if (!this.#failing) this.#log("warn", "cannot read the API key store; keys made at run time may be stale", { error: (err as Error).message });
      this.#failing = true;
      throw err;
    }
  }

  #apply(changes: { version: number; keys: readonly Versioned<StoredKey>[]; teams: readonly Versioned<StoredTeam>[] }): void {
    for (const t of changes.teams) {
      if (t.deletedAt === undefined) this.#teams.set(t.name, t);
      else this.#teams.delete(t.name);
    }
    const teamOf = (name: string) => this.#teams.get(name);
    for (const record of changes.keys) {
      const old = this.#byId.get(record.id);
      if (old) {
        this.#byHash.delete(old.record.hash);
        if (old.record.previousHash) this.#byHash.delete(old.record.previousHash);
        if (old.record.revokedAt === undefined) this.#live--;
      }
      const key = storedApiKey(record, teamOf, this.#models);
      const entry: Entry = { hash: record.hash, record, key };
      this.#byId.set(record.id, entry);
      this.#byHash.set(record.hash, entry);
      if (record.previousHash && record.previousHashExpiresAt !== undefined && record.revokedAt === undefined) {
        this.#byHash.set(record.previousHash, { ...entry, hash: record.previousHash, until: record.previousHashExpiresAt });
      }
      if (record.revokedAt === undefined) this.#live++;
    }
    this.#version = Math.max(this.#version, changes.version);
  }
}
