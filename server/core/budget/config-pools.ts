/**
 * Pools declared in hoosh.toml ([[budgets]]). The config module owns parsing;
 * this is the shape it hands over (kept local so budget does not import config).
 *
 * Config is declarative: at startup each declared pool is created, or, if a
 * durable store already has it, its limits are set back to the config's values
 * (its balance is kept). Pools created over the RPC and absent from the config
 * are left alone.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { BudgetLedger } from "./ledger.js";
import type { PoolView } from "./pool-view.js";
import { invalidArgument } from "./errors.js";
import { checkCount, checkPeriod, checkPoolName } from "./validate.js";

export interface BudgetPoolConfig {
  name: string;
  /** Tokens. */
  capacity?: number;
  capacity_usd_micros?: number;
  period: "none" | "hourly" | "daily" | "monthly";
}

/** Creates or updates every configured pool; errors name the config key path (budgets[i].…). */
export async function applyConfigPools(
  ledger: BudgetLedger,
  pools: readonly BudgetPoolConfig[],
): Promise<PoolView[]> {
  pools.forEach((p, i) => {
    checkPoolName(p.name, `budgets[${i}].name`);
    if (p.capacity !== undefined) checkCount(p.capacity, `budgets[${i}].capacity`);
    if (p.capacity_usd_micros !== undefined) checkCount(p.capacity_usd_micros, `budgets[${i}].capacity_usd_micros`);
    if (p.capacity === undefined && p.capacity_usd_micros === undefined) {
      throw invalidArgument(`budgets[${i}]`, "neither capacity nor capacity_usd_micros is set; set at least one");
    }
    checkPeriod(p.period, `budgets[${i}].period`);
    const first = pools.findIndex((q) => q.name === p.name);
    if (first !== i) {
      throw invalidArgument(`budgets[${i}].name`, `${JSON.stringify(p.name)} is already used by budgets[${first}]`);
    }
  });
  const known = new Set((await ledger.listPools()).map((v) => v.name));
  const out: PoolView[] = [];
  for (const p of pools) {
    const limits = { capacityTokens: p.capacity, capacityUsdMicros: p.capacity_usd_micros, period: p.period };
    const update = () =>
      ledger.updatePool(p.name, {
        capacityTokens: limits.capacityTokens ?? null,
        capacityUsdMicros: limits.capacityUsdMicros ?? null,
        period: limits.period,
      });
    // Replicas sharing a store may start together: whoever creates second updates instead.
    out.push(
      known.has(p.name)
        ? await update()
        : await ledger.createPool(p.name, limits).catch((err: unknown) => {
            if (err instanceof ConnectError && err.code === Code.AlreadyExists) return update();
            throw err;
          }),
    );
  }
  return out;
}
