// Budget commits in the audit log: a decorator over the BudgetLedger (which
// stays unaware of auditing). Pool creation and updates are audited at the
// RPC layer instead, where the caller is known (rpc/budget.ts's audit hook).
// Audited: BudgetService commits, and the settlements of requests that charge a
// pool (a repeat that charged nothing again is not a second entry).
import type { BudgetLedger } from "../core/budget/ledger.js";
import type { AuditLog } from "./audit-log.js";

export function auditLedger(ledger: BudgetLedger, audit: AuditLog): BudgetLedger {
  const entry = (key: string | undefined, fields: Record<string, unknown>) => void audit.append(key ? `key:${key}` : "system", "budget.commit", fields);
  const commit: BudgetLedger["commit"] = async (reservationId, usage, context = {}) => {
    const committed = await ledger.commit(reservationId, usage, context);
    if (committed.alreadyCommitted) return committed;
    entry(context.key, {
      reservation_id: reservationId,
      pool: committed.pool.name,
      model: context.model,
      provider: usage.provider || undefined,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cost_usd_micros: Number(usage.costUsdMicros),
    });
    return committed;
  };
  const settle: BudgetLedger["settle"] = async (s) => {
    const outcome = await ledger.settle(s);
    if (outcome === "committed" || (outcome === "charged-late" && s.pool !== "")) {
      entry(s.record.key, {
        reservation_id: outcome === "committed" ? s.reservationId : s.chargeId,
        pool: s.pool,
        model: s.record.model,
        provider: s.record.provider || undefined,
        input_tokens: s.record.inputTokens,
        output_tokens: s.record.outputTokens,
        cost_usd_micros: s.record.costUsdMicros,
      });
    }
    return outcome;
  };
  return new Proxy(ledger, {
    get(target, prop) {
      if (prop === "commit") return commit;
      if (prop === "settle") return settle;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
