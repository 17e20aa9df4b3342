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

  /** Oldest first (by addedAt; equal times keep insertion order). */
  list(limit: number): OutboxEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.addedAt - b.addedAt).slice(0, limit);
  }

  count(): number {
    return this.#entries.size;
  }

  close(): void {}
}
