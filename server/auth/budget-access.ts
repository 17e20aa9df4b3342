// Who may see and change which budget pools through BudgetService: an API key
// only the pools it is granted (auth/keys.ts poolGrant: its default pool and
// its `pools` globs); an admin key, or any caller when auth is off, every pool,
// and only they may commit more than a reservation holds (rpc/budget.ts).
import type { HandlerContext } from "@connectrpc/connect";
import { keyOf } from "./interceptor.js";

/** A BudgetService caller as rpc/budget.ts checks it. */
export interface BudgetCaller {
  /** The API key's id (usage records, audit log); undefined when auth is off. */
  readonly keyId?: string;
  /** Every pool, and commits beyond their reservation: admin keys, or anyone when auth is off. */
  readonly unrestricted: boolean;
  mayUse(pool: string): boolean;
}

export const UNRESTRICTED: BudgetCaller = { unrestricted: true, mayUse: () => true };

export function budgetCaller(ctx: Pick<HandlerContext, "values">): BudgetCaller {
  const key = keyOf(ctx);
  if (!key) return UNRESTRICTED;
  return { keyId: key.id, unrestricted: key.scopes.has("admin"), mayUse: key.allowsPool };
}
