/**
 * API keys and teams made at run time (KeysService): what the store keeps, and the KeyStore port
 * its adapters (store/memory, store/sqlite, store/redis) implement. Only a key's sha256 is kept,
 * never its secret.
 *
 * Every write bumps one version counter and stamps the changed record with it, so a replica
 * learns of changes by reading that counter (cheap, off the request path: auth/directory.ts polls
 * it) and then loads only the records newer than the version it has. Each method is one atomic
 * store step; replaceKey and friends compare the record's version first, so two admins editing
 * one key at once cannot lose an edit.
 */
import type { BudgetPeriodKind } from "../budget/period.js";
import type { KeyScope } from "./scopes.js";

/** Request limits of a key or a team; unset: no limit. */
export interface KeyLimits {
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
  /** Requests in flight at once, per process. */
  readonly maxConcurrent?: number | undefined;
}

/** Own capacity (kept in a pool "key:<id>" / "team:<name>"), or a named pool charged instead. */
export interface BudgetSpec {
  readonly tokens?: number | undefined;
  readonly usdMicros?: number | undefined;
  readonly period: BudgetPeriodKind;
  /** A named pool instead of tokens / usdMicros. */
  readonly pool?: string | undefined;
}

export interface StoredKey {
  readonly id: string;
  readonly name: string;
  readonly team?: string | undefined;
  readonly scopes: readonly KeyScope[];
  /** Model globs; empty: every model. */
  readonly models: readonly string[];
  readonly limits: KeyLimits;
  readonly budget?: BudgetSpec | undefined;
  readonly expiresAt?: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly revokedAt?: number | undefined;
  /** sha256 hex of the secret. */
  readonly hash: string;
  /** During a rotation's grace period: the previous secret's sha256 and when it stops working. */
  readonly previousHash?: string | undefined;
  readonly previousHashExpiresAt?: number | undefined;
}

export interface StoredTeam {
  readonly name: string;
  readonly limits: KeyLimits;
  readonly budget?: BudgetSpec | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
  /** Set on a deleted team (kept so replicas learn of the deletion). */
  readonly deletedAt?: number | undefined;
}

/** A record as read, with the version of its last change. */
export type Versioned<T> = T & { readonly version: number };

export interface KeyChanges {
  /** The store's version these changes bring a reader to. */
  readonly version: number;
  readonly keys: readonly Versioned<StoredKey>[];
  readonly teams: readonly Versioned<StoredTeam>[];
}

export type KeyWriteOutcome =
  | { readonly status: "ok"; readonly version: number }
  /** Another unrevoked key has this name. */
  | { readonly status: "name-taken"; readonly holder: string }
  /** The key's team does not exist. */
  | { readonly status: "no-team" }
  /** The record changed since it was read (replace), or an id is taken (create). */
  | { readonly status: "conflict" }
  | { readonly status: "not-found" };

export type TeamWriteOutcome =
  | { readonly status: "ok"; readonly version: number }
  | { readonly status: "exists" }
  | { readonly status: "conflict" }
  | { readonly status: "not-found" }
  /** Delete: unrevoked keys still belong to the team. */
  | { readonly status: "in-use"; readonly keys: number };

export interface KeyStore {
  /** The newest change's version (0: none yet). What replicas poll. */
  version(): Promise<number>;
  /** Keys and teams changed after version `since` (everything for 0). */
  changes(since: number): Promise<KeyChanges>;
  getKey(id: string): Promise<Versioned<StoredKey> | undefined>;
  getTeam(name: string): Promise<Versioned<StoredTeam> | undefined>;
  /** Adds a key: its name must be free among unrevoked keys and its team must exist. */
  createKey(key: StoredKey): Promise<KeyWriteOutcome>;
  /** Replaces key `key.id` if its version is still `expected` (same checks as createKey; a revoked key frees its name). */
  replaceKey(key: StoredKey, expected: number): Promise<KeyWriteOutcome>;
  createTeam(team: StoredTeam): Promise<TeamWriteOutcome>;
  replaceTeam(team: StoredTeam, expected: number): Promise<TeamWriteOutcome>;
  /** Deletes a team no unrevoked key belongs to (in-use otherwise). */
  deleteTeam(name: string, expected: number, now: number): Promise<TeamWriteOutcome>;
  /** Keeps the latest of each key's last-use times (batched by the caller; never bumps the version). */
  touch(used: ReadonlyMap<string, number>): Promise<void>;
  lastUsed(): Promise<Map<string, number>>;
}
