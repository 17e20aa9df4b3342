// The outbox in process memory: for the memory store, whose balances die with the process anyway.
import type { Outbox, OutboxEntry } from "../../core/accounting/outbox.js";

export class MemoryOutbox implements Outbox {
  readonly durable = false;
  readonly #entries = new Map<string, OutboxEntry>();

  add(entry: OutboxEntry): void {
    this.#entries.delete(entry.settlement.chargeId);
    this.#entries.set(entry.settlement.chargeId, entry);
  }

  remove(chargeId: string): void {
    this.#entries.delete(chargeId);
  }

  /** Insertion order is age order (add() re-inserts). */
  list(limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const e of this.#entries.values()) {
      if (out.length >= limit) break;
      out.push(e);
    }
    return out;
  }

  count(): number {
    return this.#entries.size;
  }

  close(): void {}
}
