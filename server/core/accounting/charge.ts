/**
 * One request's charge: the reservation made before the upstream call, then
 * exactly one of commit (actual usage) or release (error, cancel, disconnect).
 * Both are idempotent, so the pipeline can release in a finally after a commit.
 *
 * Commit completes the usage record: model, cost, pool; and when the provider
 * reported no usage (none, or 0 in and 0 out), the estimate's prompt tokens
 * and the output counted from the text the request produced.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { UsageSchema, type Message, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { Settlement } from "../budget/ledger.js";
import { costMicros } from "./cost.js";
import type { Estimate } from "./estimate.js";
import type { PriceTable } from "./pricing.js";
import type { Settle } from "./settle.js";

export interface ChargeInit {
  /** The pool charged; undefined: no budget applies (usage and cost are still filled in and recorded). */
  pool?: string | undefined;
  /** Further pools charged with it, all or none: the API key's and its team's own budgets. */
  linked?: readonly string[] | undefined;
  /** None: no pool, or admitted without one because the store was unreachable (fail-open). */
  reservationId?: string | undefined;
  requestedModel: string;
  /** The API key's id, for reports. */
  key?: string | undefined;
  /** The key's team, for reports. */
  team?: string | undefined;
  /** The request's id, kept in its usage record. */
  requestId?: string | undefined;
  /** What was reserved (zero when nothing was). */
  estimate: Estimate;
  /**
   * The prompt's tokens and a counter for output text, for when the provider reports no usage:
   * computed on demand (a request without a budget never tokenizes unless it has to).
   */
  measure: () => Promise<{ promptTokens: number; count: (text: string) => number }>;
  /** Adds the used tokens to the key's and pool's tokens-per-minute windows (never throws). */
  addTokens?: ((tokens: number) => Promise<void>) | undefined;
}

export class Charge {
  private state: "open" | "committed" | "released" = "open";
  private readonly produced: string[] = [];

  constructor(
    private readonly init: ChargeInit,
    private readonly settle: Settle,
    private readonly prices: PriceTable,
    private readonly now: () => number,
  ) {}

  get pool(): string | undefined {
    return this.init.pool;
  }

  get estimate(): Estimate {
    return this.init.estimate;
  }

  /** Notes a stream event's output text, for counting when the provider reports no usage. */
  observe(event: GenerateStreamResponse["event"]): void {
    switch (event.case) {
      case "text":
        this.produced.push(event.value.text);
        break;
      case "reasoning":
        this.produced.push(event.value.text);
        break;
      case "toolCall":
        this.produced.push(event.value.name, event.value.argumentsDelta);
        break;
    }
  }

  /**
   * The finished usage record, charged to the pool. `answer` is a unary
   * answer, counted when the provider reported no usage; streams count what
   * observe() saw.
   */
  async commit(reported: Usage | undefined, servedModel: string, answer?: Message): Promise<Usage> {
    const usage = reported ?? create(UsageSchema);
    if (usage.inputTokens === 0 && usage.outputTokens === 0) {
      const { promptTokens, count } = await this.init.measure();
      usage.inputTokens = promptTokens;
      usage.outputTokens = count(answer ? messageText(answer) : this.produced.join(""));
    }
    usage.model ||= servedModel || this.init.requestedModel;
    const cost = costMicros(usage, this.prices.forServed(usage.model, this.init.requestedModel));
    usage.costUsdMicros = BigInt(cost);
    usage.budgetPool = this.init.pool ?? "";
    if (this.state !== "open") return usage;
    this.state = "committed";
    const settlement = settlementOf(usage, cost, this.init, this.now());
    // Reserved: committed now. Otherwise (no pool, fail-open): recorded with others of this turn.
    if (settlement.reservationId !== undefined) await this.settle.apply(settlement);
    else await this.settle.record(settlement);
    await this.init.addTokens?.(usage.inputTokens + usage.outputTokens);
    return usage;
  }

  /** Gives the hold back; a no-op once committed or released. Never throws. */
  async release(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "released";
    if (this.init.reservationId) await this.settle.release(this.init.reservationId);
  }
}

/** The usage as a settlement: its reservation's commit, or a charge by a fresh id. */
export function settlementOf(usage: Usage, cost: number, init: Pick<ChargeInit, "pool" | "linked" | "reservationId" | "key" | "team" | "requestId">, time: number): Settlement {
  const { reservationId } = init;
  return {
    reservationId,
    // A reservation's fallback charge has a fixed id, so every retry of this settlement charges once.
    chargeId: reservationId === undefined ? randomUUID() : `late:${reservationId}`,
    pool: init.pool ?? "",
    ...(init.linked && init.linked.length > 0 ? { linked: init.linked } : {}),
    amount: { tokens: usage.inputTokens + usage.outputTokens, usdMicros: cost },
    record: {
      time,
      inputTokens: usage.inputTokens,
      cachedInputTokens: usage.cachedInputTokens,
      outputTokens: usage.outputTokens,
      reasoningTokens: usage.reasoningTokens,
      audioTokens: usage.audioTokens,
      costUsdMicros: cost,
      provider: usage.provider,
      cacheHit: usage.cacheHit,
      model: usage.model || undefined,
      key: init.key || undefined,
      team: init.team || undefined,
      requestId: init.requestId || undefined,
    },
  };
}

/** An answer's text and tool calls. */
function messageText(message: Message): string {
  let text = "";
  for (const part of message.content) if (part.part.case === "text") text += part.part.value;
  for (const call of message.toolCalls) text += call.name + call.arguments;
  return text;
}
