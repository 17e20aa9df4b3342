/**
 * Accounting: one usage record per request and the budget around it.
 *
 *   const charge = await accounting.begin("chat", req, call);   // before any upstream call: reserve the estimate
 *   ... provider calls, fallback, retries (no further reservations) ...
 *   usage = await charge.commit(usage, servedModel);           // after: charge the actual usage, fill in cost/pool/model
 *   finally: await charge.release();                            // error, cancel, disconnect (no-op after commit)
 *
 * Reservations live max(request timeout, ledger default of 10 min) + 1 min,
 * so a request that runs to its deadline still commits against its own hold;
 * if one expires anyway the usage is still charged (ledger settle(), settle.ts).
 * Every request ends with one usage record, pool or not.
 *
 * A chat request without max_tokens holds the default output limit, clamped to
 * what the pool has left: it is refused only when its prompt plus one output
 * token does not fit. An explicit max_tokens is held in full.
 *
 * Rate limits of the pool ([[budgets]] rpm/tpm) are checked in begin(), once
 * the pool is known and before the reservation; the call's tokens are added
 * to the pool's and the key's token windows when it commits (a release adds none).
 *
 * A store that cannot be reached refuses the request (UNAVAILABLE), unless
 * failOpen ([store] on_unavailable = "fail-open"): then it runs without a
 * reservation and its usage is charged when the store takes it (settle.ts,
 * outbox.ts).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { EmbedRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { CallContext, ChatRequest, LinkedBudget } from "../../providers/provider.js";
import { DEFAULT_RESERVATION_TTL_MS, type BudgetLedger, type Settlement, type TryReserved } from "../budget/ledger.js";
import type { PoolView } from "../budget/pool-view.js";
import type { RateLimiter } from "../rate-limit/limiter.js";
import { checkPoolName } from "../budget/validate.js";
import { Charge, type ChargeInit } from "./charge.js";
import { costMicros, PRICE_SCALE, type ScaledPrice } from "./cost.js";
import { chatPromptTokens, embedPromptTokens, estimateOf, outputLimit, type Estimate } from "./estimate.js";
import { choosePool, unknownPool, withRetryAfter } from "./pool.js";
import { PriceTable, type PriceFile } from "./pricing.js";
import type { Outbox } from "./outbox.js";
import { Settle, type LogFn, type SettleOptions } from "./settle.js";
import { Tokenizer } from "./tokenizer.js";

export interface AccountingOptions {
  ledger: BudgetLedger;
  /** Where settlements wait while the store cannot take them (settle.ts). */
  outbox: Outbox;
  /** Outbox retry timing (tests). */
  settle?: SettleOptions | undefined;
  /** The server's request timeout (ms): reservations outlive it. */
  requestTimeoutMs: number;
  /** Defaults to data/pricing.json. */
  pricing?: PriceFile | undefined;
  log?: LogFn | undefined;
  now?: (() => number) | undefined;
  tokenizer?: Tokenizer | undefined;
  /** Pool (and key tpm) rate limits; none when undefined. */
  rate?: RateLimiter | undefined;
  /** Admit requests without a reservation while the store is unreachable. */
  failOpen?: boolean | undefined;
}

const TTL_SLACK_MS = 60_000;
/** How long "there is no default pool" is believed before the store is asked again. */
const DEFAULT_POOL_RECHECK_MS = 1000;
const NO_ESTIMATE: Estimate = { promptTokens: 0, outputTokens: 0, tokens: 0, usdMicros: 0 };

/**
 * "units": speech requests, whose input is counted in characters (text to speech) or whole
 * seconds of audio (speech to text) and held as that many input tokens (core/speech-usage.ts).
 */
export type Chargeable =
  | { kind: "chat"; req: ChatRequest }
  | { kind: "embed"; req: EmbedRequest }
  | { kind: "units"; req: { model: string; budgetPool: string; metadata: { [k: string]: string } }; units: number };

export class Accounting {
  readonly prices: PriceTable;
  readonly tokenizer: Tokenizer;
  readonly ttlMs: number;
  private readonly ledger: BudgetLedger;
  private readonly settle: Settle;
  private readonly now: () => number;
  private readonly rate: RateLimiter | undefined;
  private readonly failOpen: boolean;
  private readonly log: LogFn;
  /** When the implicit "default" pool was last found missing (undefined: it exists, or not asked yet). */
  private defaultMissingAt: number | undefined;

  constructor(options: AccountingOptions) {
    const log = options.log ?? (() => {});
    this.log = log;
    this.failOpen = options.failOpen ?? false;
    this.ledger = options.ledger;
    this.now = options.now ?? Date.now;
    this.rate = options.rate;
    this.prices = new PriceTable(options.pricing, (model) =>
      log("warn", "no price for model; its cost is counted as 0 (add it to data/pricing.json)", { model }),
    );
    this.tokenizer = options.tokenizer ?? new Tokenizer();
    this.ttlMs = Math.max(options.requestTimeoutMs, DEFAULT_RESERVATION_TTL_MS) + TTL_SLACK_MS;
    this.settle = new Settle(options.ledger, options.outbox, log, { now: this.now, ...options.settle });
  }

  /**
   * Estimates the request and reserves it in its pool and, all or none, in the budgets of its API
   * key and team (call.key.budgets): once per request, whatever fallback follows.
   */
  async begin(what: Chargeable, call: CallContext): Promise<Charge> {
    const { req } = what;
    const choice = choosePool(req, call);
    if (choice.field) checkPoolName(choice.name, choice.field);
    await this.rate?.admitPool(choice.name);
    const measure = async () => {
      const count = await this.tokenizer.counter(req.model);
      const promptTokens = what.kind === "chat" ? chatPromptTokens(what.req, count) : what.kind === "embed" ? embedPromptTokens(what.req, count) : what.units;
      return { promptTokens, count };
    };
    const team = call.key?.team;
    // The pool's, the key's and the team's token windows get the call's tokens at commit.
    const charge = (estimate: Estimate, pools: Pick<ChargeInit, "pool" | "linked" | "reservationId">) =>
      new Charge(
        { requestedModel: req.model, estimate, measure, key: call.key?.id, team, requestId: call.requestId, addTokens: this.rate?.tokenSink(call.key?.id, pools.pool, team), ...pools },
        this.settle,
        this.prices,
        this.now,
      );
    const budgets = call.key?.budgets ?? [];
    // The request's pool first (not the implicit "default" one while it is known to be missing),
    // then the key's and the team's own budgets.
    const askDefault = choice.field !== undefined || !this.defaultPoolMissing();
    let pools = [...(askDefault ? [choice.name] : []), ...budgets.map((b) => b.pool).filter((p) => p !== choice.name)];
    // No budget applies: nothing is estimated or reserved; the usage is still recorded.
    if (pools.length === 0) return charge(NO_ESTIMATE, {});
    const { promptTokens } = await measure();
    const output = what.kind === "chat" ? outputLimit(what.req) : 0;
    const price = this.prices.lookup(req.model).price;
    let estimate = estimateOf(promptTokens, output, price);
    let out: TryReserved;
    try {
      out = await this.reserve(pools, estimate, budgets);
      if (out.status === "no-pool" && askDefault && !choice.field && out.missing === choice.name) {
        // No "default" pool: only the key's and team's own budgets apply, if it has any.
        this.defaultMissingAt = this.now();
        pools = pools.slice(1);
        if (pools.length === 0) return charge(estimate, {});
        out = await this.reserve(pools, estimate, budgets);
      }
      // Without max_tokens the output is cut to what the refusing pool has left (each pool in turn).
      const clampable = what.kind === "chat" && what.req.sampling?.maxTokens === undefined;
      for (let i = 0; clampable && out.status === "over-budget" && i < pools.length; i++) {
        const smaller = clamped(out.pool, estimate, price);
        if (!smaller) break;
        estimate = smaller;
        out = await this.reserve(pools, estimate, budgets);
      }
    } catch (err) {
      const error = ConnectError.from(err);
      if (error.code !== Code.Unavailable || !this.failOpen) throw error;
      this.log("warn", "budget store unavailable; admitting without a reservation (store.on_unavailable = fail-open)", { pool: pools[0], error: error.rawMessage });
      return charge(estimate, { pool: pools[0], linked: pools.slice(1) });
    }
    switch (out.status) {
      case "reserved":
        if (!choice.field && pools[0] === choice.name) this.defaultMissingAt = undefined;
        return charge(estimate, { pool: pools[0], linked: pools.slice(1), reservationId: out.reservationId });
      case "no-pool":
        if (out.missing === choice.name) throw await unknownPool(this.ledger, choice);
        throw new ConnectError(`budget pool ${JSON.stringify(out.missing)} of API key ${JSON.stringify(call.key?.id)} (its own or its team's budget) does not exist`, Code.FailedPrecondition);
      case "over-budget":
        throw withRetryAfter(out.error, out.pool, this.now());
    }
  }

  /**
   * Whether the implicit "default" pool was found missing less than a second ago. A pool of that
   * name created since (CreatePool, on this replica or another) applies within that second.
   */
  private defaultPoolMissing(): boolean {
    return this.defaultMissingAt !== undefined && this.now() - this.defaultMissingAt < DEFAULT_POOL_RECHECK_MS;
  }

  /** Records the usage of an answer from the response cache (cache-hits.ts): charged `amount`, usually 0. */
  recordUnreserved(settlement: Settlement): Promise<void> {
    return this.settle.record(settlement);
  }

  /** Retries what an earlier process left in the outbox. */
  start(): void {
    this.settle.start();
  }

  /** One last try for settlements waiting for the store; a durable outbox keeps the rest for the next process. */
  close(): Promise<void> {
    return this.settle.close();
  }

  /**
   * Reserves in pools[0] and the rest linked. A missing pool of a key's or team's own budget
   * (limits known) is made first: it belongs to the key, which may be newer than its pool.
   */
  private async reserve(pools: readonly string[], estimate: Estimate, budgets: readonly LinkedBudget[]): Promise<TryReserved> {
    const amount = { tokens: Math.max(1, estimate.tokens), usdMicros: estimate.usdMicros };
    const out = await this.ledger.tryReserve(pools[0]!, amount, this.ttlMs, pools.slice(1));
    const limits = out.status === "no-pool" ? budgets.find((b) => b.pool === out.missing)?.limits : undefined;
    if (out.status !== "no-pool" || !limits) return out;
    await this.ledger.createPool(out.missing, limits).catch((err: unknown) => {
      if (ConnectError.from(err).code !== Code.AlreadyExists) throw err;
    });
    return this.ledger.tryReserve(pools[0]!, amount, this.ttlMs, pools.slice(1));
  }
}

/** The estimate with its output cut to what the pool has left; undefined when not even 1 output token fits. */
function clamped(view: PoolView, estimate: Estimate, price: ScaledPrice): Estimate | undefined {
  let output = estimate.outputTokens;
  if (view.capacityTokens !== undefined) {
    output = Math.min(output, view.capacityTokens - view.usedTokens - view.reservedTokens - estimate.promptTokens);
  }
  if (view.capacityUsdMicros !== undefined && price.output > 0) {
    const left = view.capacityUsdMicros - view.usedUsdMicros - view.reservedUsdMicros;
    const promptCost = costMicros({ inputTokens: estimate.promptTokens, cachedInputTokens: 0, outputTokens: 0 }, price);
    output = Math.min(output, Math.floor(((left - promptCost) * PRICE_SCALE) / price.output));
  }
  return output >= 1 ? estimateOf(estimate.promptTokens, output, price) : undefined;
}
