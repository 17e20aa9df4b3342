/**
 * In-memory usage records. Not durable (the SQLite store is); capped so a
 * long-running memory-mode gateway cannot grow without bound: past the cap the
 * oldest records go. Pool balances never depend on these records.
 */
import type { UsageQuery, UsageRecord } from "../budget-store.js";

export const DEFAULT_MAX_USAGE_RECORDS = 1_000_000;

export class MemoryUsageLog {
  readonly #records: UsageRecord[] = [];
  readonly #max: number;

  constructor(maxRecords = DEFAULT_MAX_USAGE_RECORDS) {
    this.#max = maxRecords;
  }

  append(record: UsageRecord): void {
    this.#records.push(record);
    // Trim in batches of a tenth so the O(n) splice is rare.
    if (this.#records.length > this.#max + Math.ceil(this.#max / 10)) {
      this.#records.splice(0, this.#records.length - this.#max);
    }
  }

  /** Matching records in time order (stable for equal times). */
  query(q: UsageQuery): UsageRecord[] {
    const out = this.#records.filter(
      (r) =>
        (q.pool === undefined || r.pool === q.pool) &&
        (q.start === undefined || r.time >= q.start) &&
        (q.end === undefined || r.time < q.end) &&
        (q.key === undefined || r.key === q.key) &&
        (q.team === undefined || r.team === q.team),
    );
    return out.sort((a, b) => a.time - b.time);
  }
}
