/**
 * The outbox: settlements (ledger.ts) whose store step failed or whose reply was lost, kept until
 * the store takes them. A settlement is idempotent (a reservation commits once, a charge id
 * charges once), so retrying one whose first attempt did run charges nothing twice; keeping it
 * durably means a process that dies between attempts loses nothing either: the next process on
 * the same store retries it. The port lives here; store/ holds the adapters (memory, SQLite file).
 *
 * Writes are synchronous: an entry is on disk before the request that produced it is answered.
 */
import type { Settlement } from "../budget/ledger.js";

export interface OutboxEntry {
  readonly settlement: Settlement;
  /** When it was first kept (ms). */
  readonly addedAt: number;
}

export interface Outbox {
  /** Keeps the entry (replacing one with the same charge id) before returning. */
  add(entry: OutboxEntry): void;
  remove(chargeId: string): void;
  /** The oldest entries first, at most `limit`. */
  list(limit: number): OutboxEntry[];
  count(): number;
  /** Whether entries outlive the process (a file) or not (memory). */
  readonly durable: boolean;
  close(): void;
}
