// Budget commits in the audit log: a decorator over the BudgetLedger (which
// stays unaware of auditing). Pool creation and updates are audited at the
// RPC layer instead, where the caller is known (rpc/budget.ts's audit hook).
import type { BudgetLedger } from "../core/budget/ledger.js";
import type { AuditLog } from "./audit-log.js";

export function auditLedger(ledger: BudgetLedger, audit: AuditLog): BudgetLedger {
  const commit: BudgetLedger["commit"] = async (reservationId, usage, context = {}) => {
    const pool = await ledger.commit(reservationId, usage, context);
    void audit.append(context.key ? `key:${context.key}` : "system", "budget.commit", {
      reservation_id: reservationId,
      pool: pool.name,
      model: context.model,
      provider: usage.provider || undefined,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cost_usd_micros: Number(usage.costUsdMicros),
    });
    return pool;
  };
  return new Proxy(ledger, {
    get(target, prop) {
      if (prop === "commit") return commit;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
