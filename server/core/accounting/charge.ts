/**
 * One request's charge: the reservation made before the upstream call, then
 * exactly one of commit (actual usage) or release (error, cancel, disconnect).
 * Both are idempotent, so the pipeline can release in a finally after a commit.
 *
 * Commit completes the usage record: model, cost, pool; and when the provider
 * reported no usage (none, or 0 in and 0 out), the estimate's prompt tokens
 * and the output counted from the text the request produced.
 */
import { create } from "@bufbuild/protobuf";
import { UsageSchema, type Message, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { costMicros } from "./cost.js";
import type { Estimate } from "./estimate.js";
import type { Settle } from "./settle.js";

export interface ChargeInit {
  /** The pool charged; undefined: no budget applies (usage and cost are still filled in). */
  pool?: string | undefined;
  reservationId?: string | undefined;
  /** Admitted without a reservation because the store was unreachable (fail-open): charged late. */
  unreserved?: boolean | undefined;
  requestedModel: string;
  /** The API key's id, for reports. */
  key?: string | undefined;
  estimate: Estimate;
  count: (text: string) => number;
  /** Adds the used tokens to the key's and pool's tokens-per-minute windows (never throws). */
  addTokens?: ((tokens: number) => Promise<void>) | undefined;
}

export class Charge {
  private state: "open" | "committed" | "released" = "open";
  private readonly produced: string[] = [];

  constructor(
    private readonly init: ChargeInit,
    private readonly settle: Settle,
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
      usage.inputTokens = this.init.estimate.promptTokens;
      usage.outputTokens = this.init.count(answer ? messageText(answer) : this.produced.join(""));
    }
    usage.model ||= servedModel || this.init.requestedModel;
    const price = this.settle.price(usage.model, this.init.requestedModel);
    usage.costUsdMicros = BigInt(costMicros(usage, price));
    usage.budgetPool = this.init.pool ?? "";
    if (this.state !== "open") return usage;
    this.state = "committed";
    if (this.init.pool && this.init.reservationId) await this.settle.commit(this.init.pool, this.init.reservationId, usage, this.init.key);
    else if (this.init.pool && this.init.unreserved) await this.settle.chargeUnreserved(this.init.pool, usage, this.init.key);
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

/** An answer's text and tool calls. */
function messageText(message: Message): string {
  let text = "";
  for (const part of message.content) if (part.part.case === "text") text += part.part.value;
  for (const call of message.toolCalls) text += call.name + call.arguments;
  return text;
}
