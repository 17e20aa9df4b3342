/**
 * Finishing reservations without ever losing accounted usage.
 *
 * commit: the ledger's commit. If it fails (the reservation expired because
 * the request outlived its TTL, or was swept), the usage is charged anyway
 * through the store: a zero hold made and committed with the actual amount in
 * one go. Only if even that is refused (the pool was deleted, or a limited
 * dimension is at 0 so not even an empty hold fits) is the record appended to
 * the usage log alone: it shows in GetUsageReport but not in the pool balance;
 * that case is logged as an error.
 * release: errors are logged, never thrown (release runs in finally blocks).
 * chargeUnreserved: a request admitted with no reservation because the store
 * was unreachable ([store] on_unavailable = "fail-open"); charged late, and
 * while the store is still unreachable the charge waits (deferred-usage.ts).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { BudgetStore } from "../../store/budget-store.js";
import type { BudgetLedger } from "../budget/ledger.js";
import { usageRecord } from "../budget/usage-record.js";
import type { ScaledPrice } from "./cost.js";
import { DeferredUsage } from "./deferred-usage.js";
import type { PriceTable } from "./pricing.js";

export type LogFn = (level: "warn" | "error", msg: string, fields: Record<string, unknown>) => void;

const LATE_TTL_MS = 60_000;

export class Settle {
  readonly deferred: DeferredUsage;

  constructor(
    private readonly ledger: BudgetLedger,
    private readonly store: BudgetStore,
    private readonly prices: PriceTable,
    private readonly log: LogFn,
    private readonly now: () => number,
  ) {
    this.deferred = new DeferredUsage((c) => this.lateCharge(c.pool, c.usage, c.key), log);
  }

  /** The served model's price; the requested model's when the served id is unknown. */
  price(served: string, requested: string): ScaledPrice {
    const hit = this.prices.lookup(served);
    return hit.pattern || served === requested ? hit.price : this.prices.lookup(requested).price;
  }

  async commit(pool: string, reservationId: string, usage: Usage, key?: string): Promise<void> {
    try {
      await this.ledger.commit(reservationId, usage, { model: usage.model, key });
    } catch (err) {
      this.log("warn", "budget commit failed; charging the usage without its reservation", {
        pool,
        reservation_id: reservationId,
        error: (err as Error).message,
      });
      // Still unreachable: whether the commit ran is unknown (its reply may be what was lost), so
      // a retry could charge twice; the reservation's hold stays until it expires.
      if ((await this.lateCharge(pool, usage, key)) === "unavailable") {
        this.log("error", "usage lost: the budget store is unavailable", { pool, tokens: usage.inputTokens + usage.outputTokens, usd_micros: Number(usage.costUsdMicros) });
      }
    }
  }

  async chargeUnreserved(pool: string, usage: Usage, key?: string): Promise<void> {
    if ((await this.lateCharge(pool, usage, key)) === "unavailable") this.deferred.add({ pool, usage, key });
  }

  async release(reservationId: string): Promise<void> {
    try {
      await this.ledger.release(reservationId);
    } catch (err) {
      this.log("warn", "budget release failed", { reservation_id: reservationId, error: (err as Error).message });
    }
  }

  /**
   * "unavailable" only when the store could not be reached before anything was charged (the
   * zero hold failed), so a retry never charges twice; any later failure is logged as lost.
   */
  private async lateCharge(pool: string, usage: Usage, key: string | undefined): Promise<"done" | "unavailable"> {
    const now = this.now();
    const cost = Number(usage.costUsdMicros);
    const actual = { tokens: usage.inputTokens + usage.outputTokens, usdMicros: cost };
    let reservationId = "";
    let held;
    try {
      held = await this.store.reserve(pool, { tokens: 0, usdMicros: 0 }, LATE_TTL_MS, now);
    } catch (err) {
      if (ConnectError.from(err).code === Code.Unavailable) return "unavailable";
      this.log("error", "usage lost: the budget store failed", { pool, ...actual, error: (err as Error).message });
      return "done";
    }
    try {
      if (held.status === "reserved" && (await this.store.commit(held.reservation.id, actual, now)).status === "done") {
        reservationId = held.reservation.id;
      } else {
        this.log("error", "usage could not be charged to the pool balance; it is kept in the usage log", { pool, ...actual });
      }
      await this.store.appendUsage(usageRecord(now, pool, reservationId, usage, cost, { model: usage.model, key }));
    } catch (err) {
      this.log("error", "usage lost: the budget store failed", { pool, ...actual, error: (err as Error).message });
    }
    return "done";
  }
}
