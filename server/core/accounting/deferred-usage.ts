/**
 * Usage waiting for the budget store ([store] on_unavailable = "fail-open"). A request admitted
 * while the store could not be reached has no reservation; when it finishes its usage is charged
 * late (settle.ts). If the store is still unreachable, the charge waits here and is retried every
 * `retryMs` until it goes through: the store's balance catches up once it is back, and nothing
 * the callers were told they used is dropped while this process lives. Past `max` waiting
 * charges (or at close, after one last try) a charge is logged as lost, with its amounts.
 */
import type { Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { LogFn } from "./settle.js";

export interface WaitingCharge {
  pool: string;
  usage: Usage;
  key: string | undefined;
}

/** Tries one charge: "done" (charged, or failed for good and logged), or "unavailable" (try again later). */
export type TryCharge = (charge: WaitingCharge) => Promise<"done" | "unavailable">;

export class DeferredUsage {
  private readonly waiting: WaitingCharge[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly tryCharge: TryCharge,
    private readonly log: LogFn,
    private readonly retryMs = 1_000,
    private readonly max = 100_000,
  ) {}

  add(charge: WaitingCharge): void {
    if (this.waiting.length >= this.max) {
      this.lost(charge, `more than ${this.max} charges are waiting for the budget store`);
      return;
    }
    this.waiting.push(charge);
    this.schedule();
  }

  /** One pass over the waiting charges, oldest first; stops at the first the store still refuses. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      while (this.waiting.length > 0) {
        if ((await this.tryCharge(this.waiting[0]!)) === "unavailable") break;
        this.waiting.shift();
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** A last try; what still cannot be charged is logged as lost. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    for (const charge of this.waiting.splice(0)) this.lost(charge, "hoosh stopped before the budget store came back");
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().then(() => this.waiting.length > 0 && this.schedule());
    }, this.retryMs);
    this.timer.unref();
  }

  private lost(charge: WaitingCharge, why: string): void {
    const { pool, usage } = charge;
    this.log("error", `usage lost: ${why}`, { pool, tokens: usage.inputTokens + usage.outputTokens, usd_micros: Number(usage.costUsdMicros) });
  }
}
