// Who may see and change which budget pools through BudgetService (rpc/budget.ts):
// an API key only the pools it is granted (auth/keys.ts poolGrant: its default
// pool and its `pools` globs); an admin key, or any caller when auth is off,
// every pool, and only they may commit more than a reservation holds.
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { poolDenied } from "../core/accounting/pool.js";
import type { UsageInput } from "../core/budget/ledger.js";
import type { Amount } from "../store/budget-store.js";
import { keyOf } from "./interceptor.js";

/** A BudgetService caller as rpc/budget.ts checks it. */
export interface BudgetCaller {
  /** The API key's id (usage records, audit log); undefined when auth is off. */
  readonly keyId?: string;
  /** Every pool, and commits beyond their reservation: admin keys, or anyone when auth is off. */
  readonly unrestricted: boolean;
  /** Has a budgets scope (or admin): reads pools and their usage; without one, only its own usage. */
  readonly readsBudgets: boolean;
  mayUse(pool: string): boolean;
}

export const UNRESTRICTED: BudgetCaller = { unrestricted: true, readsBudgets: true, mayUse: () => true };

export function budgetCaller(ctx: Pick<HandlerContext, "values">): BudgetCaller {
  const key = keyOf(ctx);
  if (!key) return UNRESTRICTED;
  const admin = key.scopes.has("admin");
  const readsBudgets = admin || key.scopes.has("budgets:read") || key.scopes.has("budgets:write");
  return { keyId: key.id, unrestricted: admin, readsBudgets, mayUse: key.allowsPool };
}

/** A key without a budgets scope asking for another key's usage. */
export function ownUsageOnly(keyId: string, asked: string): ConnectError {
  return new ConnectError(`API key ${JSON.stringify(keyId)} may read only its own usage, not key_id ${JSON.stringify(asked)} (that needs the "budgets:read" scope)`, Code.PermissionDenied);
}

/** A reservation's pool and amount by id (BudgetStore.getReservation); undefined when unknown. */
export type ReservationLookup = (id: string) => Promise<({ readonly pool: string } & Amount) | undefined>;

/** Runs `step` on a pool the caller may use; for a restricted caller a missing pool is the same denial. */
export async function usePool<T>(caller: BudgetCaller, pool: string, step: () => Promise<T>): Promise<T> {
  if (!caller.mayUse(pool)) throw poolDenied(caller.keyId ?? "", pool);
  try {
    return await step();
  } catch (err) {
    if (!caller.unrestricted && ConnectError.from(err).code === Code.NotFound) throw poolDenied(caller.keyId ?? "", pool);
    throw err;
  }
}

/**
 * The reservation a restricted caller commits or releases, checked against its pools; undefined
 * for an unrestricted caller or an unknown id (the ledger then answers NotFound). The denial does
 * not name the pool: the caller did not name it either.
 */
export async function checkReservation(caller: BudgetCaller, id: string, action: "commit" | "release", lookup: ReservationLookup | undefined): Promise<({ readonly pool: string } & Amount) | undefined> {
  if (caller.unrestricted || id === "") return undefined;
  if (!lookup) throw new ConnectError(`reservation ${JSON.stringify(id)} cannot be checked`, Code.PermissionDenied);
  const held = await lookup(id);
  if (held && !caller.mayUse(held.pool)) {
    throw new ConnectError(`API key ${JSON.stringify(caller.keyId)} may not ${action} reservation ${JSON.stringify(id)}: its budget pool is not one this key may use`, Code.PermissionDenied);
  }
  return held;
}

/** Usage cut to what the reservation holds: input + output tokens (output first) and cost. */
export function cappedUsage(usage: Usage, held: Amount): { usage: UsageInput; capped: boolean } {
  const inputTokens = Math.min(usage.inputTokens, held.tokens);
  const outputTokens = Math.min(usage.outputTokens, held.tokens - inputTokens);
  const costUsdMicros = usage.costUsdMicros > BigInt(held.usdMicros) ? BigInt(held.usdMicros) : usage.costUsdMicros;
  const capped = inputTokens !== usage.inputTokens || outputTokens !== usage.outputTokens || costUsdMicros !== usage.costUsdMicros;
  return { usage: { ...usage, inputTokens, outputTokens, costUsdMicros }, capped };
}
