/**
 * The usage record of a request answered by the response cache (a stored answer, or a share
 * of an identical request's upstream call). By default such an answer costs nothing and does
 * not touch the pool's balance, but it is still one request with one usage record: reports
 * show it (cache_hits, its tokens, cost 0) under the pool and key that asked. With
 * `[cache] charge_hits = true` the pipeline charges hits like any answer instead (inference.ts).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { CallContext, ChatRequest } from "../../providers/provider.js";
import type { BudgetLedger, Settlement } from "../budget/ledger.js";
import { checkPoolName } from "../budget/validate.js";
import { settlementOf } from "./charge.js";
import { choosePool, unknownPool } from "./pool.js";
import type { LogFn } from "./settle.js";

export class CacheHitRecorder {
  constructor(
    private readonly ledger: BudgetLedger,
    /** Accounting.recordUnreserved: settles with the other unreserved requests of this turn. */
    private readonly settle: (s: Settlement) => Promise<void>,
    private readonly log: LogFn,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records `usage` (already marked cache_hit, cost 0) in the request's pool and names the
   * pool in it. A pool the request names must exist, as for any request; with none named
   * and no "default" pool the record has no pool. A store failure is logged, not thrown:
   * the answer is free and already in hand (the record waits in the outbox).
   */
  async record(req: ChatRequest, call: CallContext, usage: Usage): Promise<void> {
    const choice = choosePool(req, call);
    if (choice.field) checkPoolName(choice.name, choice.field);
    let pool = choice.name;
    try {
      await this.ledger.getPool(pool);
    } catch (err) {
      const error = ConnectError.from(err);
      if (error.code === Code.NotFound) {
        if (choice.field) throw await unknownPool(this.ledger, choice);
        pool = "";
      } else {
        this.log("warn", "could not check the pool of a cache hit; its usage record names it anyway", { pool, error: error.message });
      }
    }
    usage.budgetPool = pool;
    // Free unless [cache] charge_hits (then the hit took the charged path in inference.ts instead).
    const settlement = settlementOf(usage, Number(usage.costUsdMicros), { pool, key: call.key?.id, team: call.key?.team, requestId: call.requestId }, this.now());
    await this.settle({ ...settlement, amount: { tokens: 0, usdMicros: 0 } });
  }
}
