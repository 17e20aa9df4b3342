// A key made at run time (core/keys, KeysService) as the ApiKey the checks use: the same shape as
// a [[keys]] entry's (auth/keys.ts), plus its team, its limits and the budgets it is charged to.
// The team is read when a request asks (`teamOf`), so a team's change reaches its keys at once.
import picomatch from "picomatch";
import { keyPool, teamPool } from "../core/budget/validate.js";
import type { BudgetSpec, StoredKey, StoredTeam } from "../core/keys/types.js";
import type { LinkedBudget } from "../providers/provider.js";
import { poolGrant, type ApiKey } from "./keys.js";

/** The budget a key's or team's spec stands for: its own pool (made on first use) or the named one. */
export function linkedBudget(spec: BudgetSpec | undefined, ownPool: string): LinkedBudget | undefined {
  if (!spec) return undefined;
  if (spec.pool) return { pool: spec.pool };
  return { pool: ownPool, limits: { capacityTokens: spec.tokens, capacityUsdMicros: spec.usdMicros, period: spec.period } };
}

/** Compiled model globs, shared by keys with the same list (10,000 keys rarely have 10,000 lists). */
export class ModelMatchers {
  readonly #byList = new Map<string, (model: string) => boolean>();

  get(patterns: readonly string[]): (model: string) => boolean {
    const list = patterns.length === 0 ? ["*"] : patterns;
    const id = JSON.stringify(list);
    let m = this.#byList.get(id);
    if (!m) this.#byList.set(id, (m = picomatch([...list], { nocase: true, dot: true })));
    return m;
  }
}

const NO_TOOLS = (): boolean => false;

export function storedApiKey(k: StoredKey, teamOf: (name: string) => StoredTeam | undefined, matchers: ModelMatchers): ApiKey {
  const own = linkedBudget(k.budget, keyPool(k.id));
  const key: ApiKey = {
    id: k.id,
    scopes: new Set(k.scopes),
    allowsModel: matchers.get(k.models),
    allowsPool: poolGrant({ scopes: k.scopes, default_pool: k.budget?.pool, pools: [] }),
    // Keys made at run time list and call no MCP tools ([[keys]] tools patterns are config-only).
    allowsTool: NO_TOOLS,
    get budgets(): readonly LinkedBudget[] {
      const team = k.team === undefined ? undefined : linkedBudget(teamOf(k.team)?.budget, teamPool(k.team));
      return own && team ? [own, team] : own ? [own] : team ? [team] : [];
    },
  };
  if (k.budget?.pool !== undefined) key.defaultPool = k.budget.pool;
  if (k.team !== undefined) key.team = k.team;
  if (k.limits.rpm !== undefined) key.rpm = k.limits.rpm;
  if (k.limits.tpm !== undefined) key.tpm = k.limits.tpm;
  if (k.limits.maxConcurrent !== undefined) key.maxConcurrent = k.limits.maxConcurrent;
  return key;
}
