/**
 * KeyAdmin: what KeysService does, over a KeyStore and the budget ledger. Every input is checked
 * (validate.ts) before anything is written, and each write is one store step, so a refused
 * request leaves nothing half-made. A key's or team's own budget is a budget pool
 * ("key:<id>", "team:<name>") made and kept at the key's limits here; should that fail, the
 * request path makes it from the key's limits on first use (core/accounting). Keys from the
 * config file are listed, never changed.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { BudgetLedger } from "../budget/ledger.js";
import { invalidArgument } from "../budget/errors.js";
import { keyPool, teamPool } from "../budget/validate.js";
import { generateKey, hashKey, newKeyId } from "./secret.js";
import type { BudgetSpec, KeyStore, StoredKey, StoredTeam, Versioned } from "./types.js";
import { checkBudget, checkExpiry, checkGrace, checkLimits, checkMetadata, checkModels, checkName, checkScopes } from "./validate.js";
import { configKeyView, storedKeyView, teamView, type ConfigKey, type KeyView, type TeamView } from "./views.js";

export interface KeyInput {
  name: string;
  team?: string | undefined;
  scopes: readonly string[];
  models: readonly string[];
  limits: { rpm?: number | undefined; tpm?: number | undefined; maxConcurrent?: number | undefined };
  budget?: { tokens?: number | bigint | undefined; usdMicros?: number | bigint | undefined; period: string; pool?: string | undefined } | undefined;
  expiresAt?: number | undefined;
  metadata: Readonly<Record<string, string>>;
}

export const KEY_FIELDS = ["name", "team", "scopes", "models", "limits", "budget", "expire_time", "metadata"] as const;
export type KeyField = (typeof KEY_FIELDS)[number];
export type TeamInput = Pick<KeyInput, "limits" | "budget" | "metadata"> & { name: string };
export const TEAM_FIELDS = ["limits", "budget", "metadata"] as const;
export type TeamField = (typeof TEAM_FIELDS)[number];

export interface KeyAdminDeps {
  store: KeyStore;
  ledger: BudgetLedger;
  configKeys: readonly ConfigKey[];
  /** Brings this process's key directory up to date (so the change works here at once). */
  refresh: () => Promise<void>;
  /** Last-use times not yet written to the store. */
  pendingUse?: (id: string) => number | undefined;
  now?: () => number;
  newId?: () => string;
}

/** Tries a read-modify-write this many times when another admin changed the record meanwhile. */
const ATTEMPTS = 5;
export const DEFAULT_GRACE_MS = 86_400_000;

const notFound = (what: string, name: string) => new ConnectError(`${what} ${JSON.stringify(name)} not found`, Code.NotFound);
const refused = (message: string) => new ConnectError(message, Code.FailedPrecondition);

export class KeyAdmin {
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: KeyAdminDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? newKeyId;
  }

  async createKey(input: KeyInput): Promise<{ key: KeyView; secret: string }> {
    const record = await this.checkedKey(input, "key", KEY_FIELDS);
    const secret = generateKey();
    const createdAt = this.now();
    for (let attempt = 0; ; attempt++) {
      const key: StoredKey = { ...record, id: this.newId(), createdAt, hash: hashKey(secret) };
      const out = await this.deps.store.createKey(key);
      if (out.status === "conflict" && attempt < ATTEMPTS) continue; // an id taken: draw another
      this.keyWritten(out, key);
      await this.ownPool(keyPool(key.id), key.budget);
      await this.deps.refresh();
      return { key: storedKeyView({ ...key }, this.now(), undefined), secret };
    }
  }

  async updateKey(id: string, input: KeyInput, mask: readonly string[]): Promise<KeyView> {
    const fields = checkMask(mask, KEY_FIELDS);
    const changed = await this.checkedKey(input, "key", fields);
    const key = await this.rewriteKey(id, "change", (cur) => ({ ...cur, ...pick(changed, fields) }));
    if (fields.includes("budget")) await this.ownPool(keyPool(id), key.budget);
    return this.view(key);
  }

  async revokeKey(id: string): Promise<KeyView> {
    return this.view(await this.rewriteKey(id, "revoke", (cur) => ({ ...cur, revokedAt: this.now() })));
  }

  /** A new secret; the previous one works for graceMs more (none when 0). */
  async rotateKey(id: string, graceMs = DEFAULT_GRACE_MS): Promise<{ key: KeyView; secret: string }> {
    checkGrace(graceMs, "grace_period");
    const secret = generateKey();
    const now = this.now();
    const key = await this.rewriteKey(id, "rotate", (cur) => {
      const { previousHash: _h, previousHashExpiresAt: _at, ...rest } = cur;
      return graceMs > 0 ? { ...rest, hash: hashKey(secret), previousHash: cur.hash, previousHashExpiresAt: now + graceMs } : { ...rest, hash: hashKey(secret) };
    });
    return { key: await this.view(key), secret };
  }

  async getKey(id: string): Promise<KeyView> {
    const stored = await this.deps.store.getKey(id);
    if (stored) return this.view(stored);
    const config = this.deps.configKeys.find((k) => k.id === id);
    if (!config) throw notFound("API key", id);
    return configKeyView(config, await this.lastUsed(id));
  }

  async listKeys(filter: { team?: string | undefined; includeRevoked?: boolean | undefined } = {}): Promise<KeyView[]> {
    const [{ keys }, used] = await Promise.all([this.deps.store.changes(0), this.deps.store.lastUsed()]);
    const last = (id: string) => Math.max(used.get(id) ?? 0, this.deps.pendingUse?.(id) ?? 0) || undefined;
    const now = this.now();
    const stored = keys.filter((k) => (filter.includeRevoked || k.revokedAt === undefined) && (!filter.team || k.team === filter.team)).map((k) => storedKeyView(k, now, last(k.id)));
    const config = filter.team ? [] : this.deps.configKeys.map((k) => configKeyView(k, last(k.id)));
    return [...stored, ...config].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async createTeam(input: TeamInput): Promise<TeamView> {
    checkName(input.name, "team.name");
    const team = { ...this.checkedTeam(input, TEAM_FIELDS), name: input.name, createdAt: this.now() };
    await this.poolExists(team.budget, "team.budget.pool");
    const out = await this.deps.store.createTeam(team);
    if (out.status === "exists") throw new ConnectError(`team.name: team ${JSON.stringify(team.name)} already exists`, Code.AlreadyExists);
    await this.ownPool(teamPool(team.name), team.budget);
    await this.deps.refresh();
    return teamView(team, 0);
  }

  async updateTeam(name: string, input: TeamInput, mask: readonly string[]): Promise<TeamView> {
    const fields = checkMask(mask, TEAM_FIELDS);
    const changed = this.checkedTeam(input, fields);
    if (fields.includes("budget")) await this.poolExists(changed.budget, "team.budget.pool");
    for (let attempt = 0; ; attempt++) {
      const cur = await this.liveTeam(name);
      const { version, ...rest } = cur;
      const next: StoredTeam = { ...rest, ...pick(changed, fields) };
      const out = await this.deps.store.replaceTeam(next, version);
      if (out.status === "conflict" && attempt < ATTEMPTS) continue;
      if (out.status !== "ok") throw notFound("team", name);
      if (fields.includes("budget")) await this.ownPool(teamPool(name), next.budget);
      await this.deps.refresh();
      return teamView(next, await this.members(name));
    }
  }

  async deleteTeam(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.liveTeam(name);
      const out = await this.deps.store.deleteTeam(name, cur.version, this.now());
      if (out.status === "conflict" && attempt < ATTEMPTS) continue;
      if (out.status === "in-use") throw refused(`team ${JSON.stringify(name)} still has ${out.keys} unrevoked key(s); move or revoke them first`);
      if (out.status !== "ok") throw notFound("team", name);
      await this.deps.refresh();
      return;
    }
  }

  async getTeam(name: string): Promise<TeamView> {
    return teamView(await this.liveTeam(name), await this.members(name));
  }

  async listTeams(): Promise<TeamView[]> {
    const { keys, teams } = await this.deps.store.changes(0);
    const count = (name: string) => keys.filter((k) => k.team === name && k.revokedAt === undefined).length;
    return teams.filter((t) => t.deletedAt === undefined).map((t) => teamView(t, count(t.name))).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Checks every given field of a key (and that its team and named pool exist). */
  private async checkedKey(input: KeyInput, at: string, fields: readonly KeyField[]): Promise<Omit<StoredKey, "id" | "createdAt" | "hash">> {
    const has = (f: KeyField) => fields.includes(f);
    if (has("name")) checkName(input.name, `${at}.name`);
    if (has("team") && input.team) {
      checkName(input.team, `${at}.team`);
      if (!(await this.deps.store.getTeam(input.team))) throw invalidArgument(`${at}.team`, `team ${JSON.stringify(input.team)} does not exist; create it first (CreateTeam)`);
    }
    const scopes = has("scopes") ? checkScopes(input.scopes, `${at}.scopes`) : [];
    if (has("models")) checkModels(input.models, `${at}.models`);
    const limits = has("limits") ? checkLimits(input.limits, `${at}.limits`) : {};
    const budget = has("budget") && input.budget ? checkBudget(input.budget, `${at}.budget`) : undefined;
    await this.poolExists(budget, `${at}.budget.pool`);
    if (has("expire_time")) checkExpiry(input.expiresAt, this.now(), `${at}.expire_time`);
    const metadata = has("metadata") ? checkMetadata(input.metadata, `${at}.metadata`) : {};
    return { name: input.name, team: input.team || undefined, scopes, models: [...input.models], limits, budget, expiresAt: input.expiresAt, metadata };
  }

  private checkedTeam(input: TeamInput, fields: readonly TeamField[]): Pick<StoredTeam, "limits" | "budget" | "metadata"> {
    return {
      limits: fields.includes("limits") ? checkLimits(input.limits, "team.limits") : {},
      budget: fields.includes("budget") && input.budget ? checkBudget(input.budget, "team.budget") : undefined,
      metadata: fields.includes("metadata") ? checkMetadata(input.metadata, "team.metadata") : {},
    };
  }

  /** Read, change, write with the version read (again when another write came between). */
  private async rewriteKey(id: string, action: "change" | "revoke" | "rotate", change: (cur: StoredKey) => StoredKey): Promise<StoredKey> {
    if (this.deps.configKeys.some((k) => k.id === id)) throw refused(`API key ${JSON.stringify(id)} is defined in the config file ([[keys]]); ${action} it there`);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.deps.store.getKey(id);
      if (!cur) throw notFound("API key", id);
      if (cur.revokedAt !== undefined) throw refused(`API key ${JSON.stringify(id)} was already revoked at ${new Date(cur.revokedAt).toISOString()}`);
      const { version, ...record } = cur;
      const next = change(record);
      const out = await this.deps.store.replaceKey(next, version);
      if (out.status === "conflict" && attempt < ATTEMPTS) continue;
      this.keyWritten(out, next);
      await this.deps.refresh();
      return next;
    }
  }

  private keyWritten(out: Awaited<ReturnType<KeyStore["createKey"]>>, key: StoredKey): void {
    switch (out.status) {
      case "ok":
        return;
      case "name-taken":
        throw new ConnectError(`key.name: ${JSON.stringify(key.name)} is already used by API key ${JSON.stringify(out.holder)}`, Code.AlreadyExists);
      case "no-team":
        throw invalidArgument("key.team", `team ${JSON.stringify(key.team)} does not exist; create it first (CreateTeam)`);
      case "not-found":
        throw notFound("API key", key.id);
      case "conflict":
        throw new ConnectError(`API key ${JSON.stringify(key.id)} kept changing while this request tried to change it; try again`, Code.Aborted);
    }
  }

  /** Makes (or sets the limits of) the pool of a key's or team's own budget; a named pool is left alone. */
  private async ownPool(pool: string, budget: BudgetSpec | undefined): Promise<void> {
    if (!budget || budget.pool) return;
    const limits = { capacityTokens: budget.tokens, capacityUsdMicros: budget.usdMicros, period: budget.period };
    await this.deps.ledger.createPool(pool, limits).catch(async (err: unknown) => {
      if (ConnectError.from(err).code !== Code.AlreadyExists) throw err;
      await this.deps.ledger.updatePool(pool, { capacityTokens: limits.capacityTokens ?? null, capacityUsdMicros: limits.capacityUsdMicros ?? null, period: limits.period });
    });
  }

  private async poolExists(budget: BudgetSpec | undefined, field: string): Promise<void> {
    if (!budget?.pool) return;
    await this.deps.ledger.getPool(budget.pool).catch((err: unknown) => {
      if (ConnectError.from(err).code === Code.NotFound) throw invalidArgument(field, `budget pool ${JSON.stringify(budget.pool)} does not exist; create it first ([[budgets]] or CreatePool)`);
      throw err;
    });
  }

  private async liveTeam(name: string): Promise<Versioned<StoredTeam>> {
    const team = await this.deps.store.getTeam(name);
    if (!team) throw notFound("team", name);
    return team;
  }

  private async members(team: string): Promise<number> {
    return (await this.deps.store.changes(0)).keys.filter((k) => k.team === team && k.revokedAt === undefined).length;
  }

  private async lastUsed(id: string): Promise<number | undefined> {
    return Math.max((await this.deps.store.lastUsed()).get(id) ?? 0, this.deps.pendingUse?.(id) ?? 0) || undefined;
  }

  private async view(key: StoredKey): Promise<KeyView> {
    return storedKeyView(key, this.now(), await this.lastUsed(key.id));
  }
}

/** The update_mask's paths, each one these fields; InvalidArgument listing them otherwise. */
function checkMask<F extends string>(mask: readonly string[], allowed: readonly F[]): F[] {
  const list = `allowed paths: ${allowed.join(", ")}`;
  if (mask.length === 0) throw invalidArgument("update_mask", `no paths given; ${list}`);
  for (const p of mask) if (!(allowed as readonly string[]).includes(p)) throw invalidArgument("update_mask", `${JSON.stringify(p)} is not an updatable field; ${list}`);
  return mask as F[];
}

const PROPERTY: Record<string, string> = { expire_time: "expiresAt" };

/** The masked fields of `from` (an unset one clears it). */
function pick<T extends object>(from: T, fields: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[PROPERTY[f] ?? f] = (from as Record<string, unknown>)[PROPERTY[f] ?? f];
  return out as Partial<T>;
}
