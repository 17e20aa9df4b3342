/**
 * Which budget pool a request charges, first that is set:
 *   1. the request's budget_pool field,
 *   2. its metadata["budget_pool"],
 *   3. the x-hoosh-budget-pool header (gRPC metadata or HTTP header: CallContext.budgetPool),
 *   4. the authenticated API key's default pool,
 *   5. the pool named "default", if one exists.
 * A pool named by 1-4 must exist (else InvalidArgument naming the field and the
 * pools there are). With none named and no "default" pool, no budget applies.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { CallContext } from "../../providers/provider.js";
import type { BudgetLedger } from "../budget/ledger.js";

export const DEFAULT_POOL = "default";
export const POOL_HEADER = "x-hoosh-budget-pool";
export const POOL_METADATA_KEY = "budget_pool";

export interface PoolChoice {
  name: string;
  /** Where the name came from, as the caller wrote it; undefined for the implicit default. */
  field?: string | undefined;
}

export function choosePool(req: { budgetPool: string; metadata: { [k: string]: string } }, call: CallContext): PoolChoice {
  if (req.budgetPool) return { name: req.budgetPool, field: "budget_pool" };
  const fromMetadata = req.metadata[POOL_METADATA_KEY];
  if (fromMetadata) return { name: fromMetadata, field: `metadata.${POOL_METADATA_KEY}` };
  if (call.budgetPool) return { name: call.budgetPool, field: POOL_HEADER };
  if (call.key?.defaultPool) return { name: call.key.defaultPool, field: `the API key's default pool (keys.${call.key.id})` };
  return { name: DEFAULT_POOL };
}

export async function unknownPool(ledger: BudgetLedger, choice: PoolChoice): Promise<ConnectError> {
  const names = (await ledger.listPools()).map((p) => p.name);
  const known = names.length > 0 ? `the pools are ${names.join(", ")}` : "no budget pools are configured";
  return new ConnectError(`${choice.field}: budget pool ${JSON.stringify(choice.name)} not found; ${known}`, Code.InvalidArgument);
}

/**
 * Adds retry-after (seconds until the pool's period ends, so its balance starts
 * over) to an over-budget error; REST answers 429 with that Retry-After.
 * A pool without a period gets none: waiting alone does not refill it.
 */
export async function withRetryAfter(ledger: BudgetLedger, pool: string, err: ConnectError, now: number): Promise<ConnectError> {
  try {
    const view = await ledger.getPool(pool);
    if (view.periodEnd !== undefined) err.metadata.set("retry-after", String(Math.max(1, Math.ceil((view.periodEnd - now) / 1000))));
  } catch {
    // The pool vanished meanwhile: the error stands without the hint.
  }
  return err;
}
