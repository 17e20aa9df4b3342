/**
 * Settling finished requests so that accounted usage is never lost and never counted twice.
 *
 * apply(): a reserved request's settlement (ledger.ts Settlement) is committed now, before the
 *   caller is answered: its reservation is committed with its usage record in one store step.
 * record(): a request without a reservation (no pool, fail-open admission, cache hit) joins the
 *   others that finish in the same event-loop turn: one store step for all of them (group commit).
 *
 * A store step that fails as UNAVAILABLE (store down, or its reply lost: it may have run) moves
 * the settlement to the outbox (outbox.ts), written before the caller is answered, and retried
 * with exponential backoff until the store takes it; a process that dies meanwhile leaves it to
 * the next one on the same store (start()). Settlements are idempotent (a reservation commits
 * once; a charge id charges once), so a retry of one that did run charges nothing again. Only a
 * failure that retrying cannot mend (an error reply) is logged as lost, with its amounts.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { BudgetLedger, SettleOutcome, Settlement } from "../budget/ledger.js";
import type { Outbox } from "./outbox.js";

export type LogFn = (level: "warn" | "error", msg: string, fields: Record<string, unknown>) => void;

export interface SettleOptions {
  /** First retry delay of the outbox (ms), doubled after each failed pass up to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** An entry older than this is given up (logged as lost): its store has not answered for a week. */
  maxAgeMs?: number;
  /** Most settlements in one group-commit store step. */
  maxBatch?: number;
  now?: () => number;
}

const PASS_SIZE = 100;

interface Batch {
  settlements: Settlement[];
  done: Promise<void>;
}

export class Settle {
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly maxAgeMs: number;
  private readonly maxBatch: number;
  private readonly now: () => number;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private open: Batch | undefined;
  private closed = false;

  constructor(
    private readonly ledger: BudgetLedger,
    private readonly outbox: Outbox,
    private readonly log: LogFn,
    options: SettleOptions = {},
  ) {
    this.retryMinMs = options.retryMinMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3_600_000;
    this.maxBatch = options.maxBatch ?? 500;
    this.now = options.now ?? Date.now;
    this.delayMs = this.retryMinMs;
  }

  /** Applies a reserved request's settlement now; on a store failure the outbox keeps it. Never throws. */
  async apply(s: Settlement): Promise<void> {
    try {
      this.note(s, await this.ledger.settle(s));
    } catch (err) {
      this.failed([s], err);
    }
  }

  /** Settles a request without a reservation together with the others of this turn. Never throws. */
  record(s: Settlement): Promise<void> {
    let batch = this.open;
    if (!batch || batch.settlements.length >= this.maxBatch) {
      const settlements: Settlement[] = [];
      batch = { settlements, done: new Promise<void>((resolve) => setImmediate(() => void this.flush(settlements).finally(resolve))) };
      this.open = batch;
    }
    batch.settlements.push(s);
    return batch.done;
  }

  /** Gives a hold back; errors are logged, never thrown (release runs in finally blocks). */
  async release(reservationId: string): Promise<void> {
    try {
      await this.ledger.release(reservationId);
    } catch (err) {
      this.log("warn", "budget release failed; the hold stays until it expires", { reservation_id: reservationId, error: (err as Error).message });
    }
  }

  /** Retries what an earlier process (or this one) left in the outbox. */
  start(): void {
    this.schedule(0);
  }

  /** One last pass over the outbox; a durable outbox keeps what is left for the next process. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.passing;
    await this.pass();
    if (this.outbox.durable) return;
    for (const e of this.outbox.list(Number.MAX_SAFE_INTEGER)) this.lost(e.settlement, "hoosh stopped before the budget store came back");
  }

  private async flush(settlements: Settlement[]): Promise<void> {
    if (this.open?.settlements === settlements) this.open = undefined;
    try {
      const outcomes = await this.ledger.settleUnreserved(settlements);
      settlements.forEach((s, i) => this.note(s, outcomes[i] as SettleOutcome));
    } catch (err) {
      this.failed(settlements, err);
    }
  }

  private note(s: Settlement, outcome: SettleOutcome): void {
    if (outcome === "charged-late" && s.reservationId !== undefined) {
      this.log("warn", "the reservation was gone (expired); its usage was charged without it", this.fields(s));
    } else if (outcome === "recorded" && s.pool !== "") {
      this.log("error", "the budget pool no longer exists; the usage is kept in the usage log only", this.fields(s));
    }
  }

  private failed(list: Settlement[], err: unknown): void {
    const error = ConnectError.from(err);
    if (error.code !== Code.Unavailable) {
      for (const s of list) this.lost(s, `the budget store failed: ${error.rawMessage}`);
      return;
    }
    const addedAt = this.now();
    try {
      for (const s of list) this.outbox.add({ settlement: s, addedAt });
    } catch (outboxErr) {
      for (const s of list) this.lost(s, `the budget store is unavailable and the outbox failed: ${(outboxErr as Error).message}`);
      return;
    }
    this.log("warn", "budget store unavailable; usage kept in the outbox and retried until the store takes it", {
      settlements: list.length,
      error: error.rawMessage,
    });
    this.schedule(this.delayMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.passing) return this.schedule(this.delayMs); // a pass is running: look again after it
      this.passing = this.pass().finally(() => (this.passing = undefined));
    }, delayMs);
    this.timer.unref();
  }

  /** Oldest first, until the outbox is empty or the store fails again (then back off). */
  private async pass(): Promise<void> {
    for (;;) {
      const entries = this.outbox.list(PASS_SIZE);
      if (entries.length === 0) {
        this.delayMs = this.retryMinMs;
        return;
      }
      for (const { settlement, addedAt } of entries) {
        if (this.now() - addedAt > this.maxAgeMs) {
          this.lost(settlement, `the budget store did not take it for ${Math.round(this.maxAgeMs / 3_600_000)} hours`);
          this.outbox.remove(settlement.chargeId);
          continue;
        }
        try {
          this.note(settlement, await this.ledger.settle(settlement));
        } catch (err) {
          const error = ConnectError.from(err);
          if (error.code === Code.Unavailable) {
            this.delayMs = Math.min(this.retryMaxMs, this.delayMs * 2);
            this.schedule(this.delayMs);
            return;
          }
          this.lost(settlement, `the budget store failed: ${error.rawMessage}`);
        }
        this.outbox.remove(settlement.chargeId);
      }
    }
  }

  private lost(s: Settlement, why: string): void {
    this.log("error", `usage lost: ${why}`, this.fields(s));
  }

  private fields(s: Settlement): Record<string, unknown> {
    return { pool: s.pool, reservation_id: s.reservationId, charge_id: s.chargeId, tokens: s.amount.tokens, usd_micros: s.amount.usdMicros };
  }
}
