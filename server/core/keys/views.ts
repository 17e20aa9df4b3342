/** Keys and teams as KeysService shows them: no hashes, with where they come from and their state. */
import { keyPool, teamPool } from "../budget/validate.js";
import type { KeyScope } from "./scopes.js";
import type { BudgetSpec, KeyLimits, StoredKey, StoredTeam } from "./types.js";

export type KeyState = "active" | "revoked" | "expired" | "disabled";

export interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly team?: string | undefined;
  readonly scopes: readonly string[];
  readonly models: readonly string[];
  readonly limits: KeyLimits;
  readonly budget?: BudgetSpec | undefined;
  readonly expiresAt?: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt?: number | undefined;
  readonly lastUsedAt?: number | undefined;
  readonly revokedAt?: number | undefined;
  readonly source: "stored" | "config";
  readonly state: KeyState;
  readonly previousSecretExpiresAt?: number | undefined;
  /** The pool its own budget lives in; undefined without one. */
  readonly budgetPool?: string | undefined;
}

export interface TeamView extends Omit<StoredTeam, "deletedAt"> {
  /** Unrevoked keys in the team. */
  readonly keys: number;
  readonly budgetPool?: string | undefined;
}

/** A [[keys]] entry as far as KeysService shows it (read-only). */
export interface ConfigKey {
  readonly id: string;
  readonly scopes: readonly KeyScope[];
  readonly models: readonly string[];
  readonly default_pool?: string | undefined;
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
  readonly enabled: boolean;
}

export function storedKeyView(k: StoredKey, now: number, lastUsedAt: number | undefined): KeyView {
  const state: KeyState = k.revokedAt !== undefined ? "revoked" : k.expiresAt !== undefined && k.expiresAt <= now ? "expired" : "active";
  const graceLeft = k.previousHashExpiresAt !== undefined && k.previousHashExpiresAt > now && k.revokedAt === undefined;
  return {
    id: k.id,
    name: k.name,
    team: k.team,
    scopes: k.scopes,
    models: k.models,
    limits: k.limits,
    budget: k.budget,
    expiresAt: k.expiresAt,
    metadata: k.metadata,
    createdAt: k.createdAt,
    lastUsedAt,
    revokedAt: k.revokedAt,
    source: "stored",
    state,
    previousSecretExpiresAt: graceLeft ? k.previousHashExpiresAt : undefined,
    budgetPool: k.budget ? (k.budget.pool ?? keyPool(k.id)) : undefined,
  };
}

export function configKeyView(k: ConfigKey, lastUsedAt: number | undefined): KeyView {
  return {
    id: k.id,
    name: k.id,
    scopes: k.scopes,
    models: k.models,
    limits: { rpm: k.rpm, tpm: k.tpm },
    budget: k.default_pool === undefined ? undefined : { period: "none", pool: k.default_pool },
    metadata: {},
    lastUsedAt,
    source: "config",
    state: k.enabled ? "active" : "disabled",
    budgetPool: k.default_pool,
  };
}

export function teamView(t: StoredTeam, keys: number): TeamView {
  const { deletedAt: _deleted, ...team } = t;
  return { ...team, keys, budgetPool: t.budget ? (t.budget.pool ?? teamPool(t.name)) : undefined };
}
