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
import type { BudgetLedger } from "../budget/ledger.js";
import { checkPoolName } from "../budget/validate.js";
import { choosePool, unknownPool } from "./pool.js";
import type { LogFn } from "./settle.js";

export class CacheHitRecorder {
  constructor(
    private readonly ledger: BudgetLedger,
    private readonly log: LogFn,
  ) {}

  /**
   * Records `usage` (already marked cache_hit, cost 0) in the request's pool and names the
   * pool in it. A pool the request names must exist, as for any request; with none named
   * and no "default" pool nothing is recorded. A store failure is logged, not thrown: the
   * answer is free and already in hand.
   */
  async record(req: ChatRequest, call: CallContext, usage: Usage): Promise<void> {
    const choice = choosePool(req, call);
    if (choice.field) checkPoolName(choice.name, choice.field);
    try {
      await this.ledger.recordUncharged(choice.name, usage, { model: usage.model, key: call.key?.id });
      usage.budgetPool = choice.name;
    } catch (err) {
      const error = ConnectError.from(err);
      if (error.code !== Code.NotFound) {
        this.log("error", "the usage record of a cache hit was not written", { pool: choice.name, error: error.message });
        return;
      }
      if (choice.field) throw await unknownPool(this.ledger, choice);
    }
  }
}
