/**
 * Which budget pool a request charges, first that is set:
 *   1. the request's budget_pool field,
 *   2. its metadata["budget_pool"],
 *   3. the x-hoosh-budget-pool header (gRPC metadata or HTTP header: CallContext.budgetPool),
 *   4. the authenticated API key's default pool,
 *   5. the pool named "default", if one exists.
 * A pool named by 1-4 must exist (else InvalidArgument naming the field and the
 * pools there are). With none named and no "default" pool, no budget applies.
 *
 * With an API key, the pool must be one the key is granted (auth/keys.ts
 * poolGrant: its default pool and its `pools`); an ungranted pool and an unknown
 * one are the same PermissionDenied, which names only the pool asked for, so a
 * key learns nothing about pools it may not use. The auth layer checks the
 * grant before the request runs (auth/authorize.ts); the check here covers every
 * path that charges or records usage.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { CallContext } from "../../providers/provider.js";
import type { BudgetLedger } from "../budget/ledger.js";
import type { PoolView } from "../budget/pool-view.js";

export const DEFAULT_POOL = "default";
export const POOL_HEADER = "x-hoosh-budget-pool";
export const POOL_METADATA_KEY = "budget_pool";

export interface PoolChoice {
  name: string;
  /** Where the name came from, as the caller wrote it; undefined for the implicit default. */
  field?: string | undefined;
  /** The API key's id when a key made the request (its errors then list no pools). */
  key?: string | undefined;
}

type PoolCall = Pick<CallContext, "budgetPool" | "key">;

/** The pool a request charges (the rule above); PermissionDenied when its key is not granted that pool. */
export function choosePool(req: { budgetPool: string; metadata: { [k: string]: string } }, call: PoolCall): PoolChoice {
  const choice = namedPool(req, call);
  const key = call.key;
  if (!key) return choice;
  if (key.allowsPool && !key.allowsPool(choice.name)) throw poolDenied(key.id, choice.name);
  return { ...choice, key: key.id };
}

function namedPool(req: { budgetPool: string; metadata: { [k: string]: string } }, call: PoolCall): PoolChoice {
  if (req.budgetPool) return { name: req.budgetPool, field: "budget_pool" };
  const fromMetadata = req.metadata[POOL_METADATA_KEY];
  if (fromMetadata) return { name: fromMetadata, field: `metadata.${POOL_METADATA_KEY}` };
  if (call.budgetPool) return { name: call.budgetPool, field: POOL_HEADER };
  if (call.key?.defaultPool) return { name: call.key.defaultPool, field: `the API key's default pool (keys.${call.key.id})` };
  return { name: DEFAULT_POOL };
}

/** The one answer for a pool a key may not use or that does not exist: it lists nothing. */
export function poolDenied(keyId: string, pool: string): ConnectError {
  return new ConnectError(`API key ${JSON.stringify(keyId)} may not use budget pool ${JSON.stringify(pool)}`, Code.PermissionDenied);
}

export async function unknownPool(ledger: BudgetLedger, choice: PoolChoice): Promise<ConnectError> {
  if (choice.key !== undefined) return poolDenied(choice.key, choice.name);
  const names = (await ledger.listPools()).map((p) => p.name);
  const known = names.length > 0 ? `the pools are ${names.join(", ")}` : "no budget pools are configured";
  return new ConnectError(`${choice.field}: budget pool ${JSON.stringify(choice.name)} not found; ${known}`, Code.InvalidArgument);
}

/**
 * An over-budget error as the caller sees it: a pool with a period gets retry-after = seconds
 * until the period ends (its balance starts over; REST answers 429 with that Retry-After). A pool
 * without one never refills by waiting: no retry-after, and the message says so.
 */
export function withRetryAfter(err: ConnectError, pool: PoolView, now: number): ConnectError {
  if (pool.periodEnd === undefined) {
    return new ConnectError(`${err.rawMessage}; the pool has no period, so it stays exhausted until its capacity is raised`, err.code, err.metadata);
  }
  err.metadata.set("retry-after", String(Math.max(1, Math.ceil((pool.periodEnd - now) / 1000))));
  return err;
}
