/**
 * The request log in process memory ([store] kind = "memory"): records in write order, searched
 * from the newest. Not durable; prune() keeps it within [log] retention like the other stores.
 */
import { matchesFilter, type RequestLogStore, type RequestPage, type RequestQuery, type RequestRecord, type StoredRequest } from "../../core/requests/record.js";

export class MemoryRequestLog implements RequestLogStore {
  #records: StoredRequest[] = [];
  #seq = 0;

  async append(records: readonly RequestRecord[]): Promise<void> {
    for (const r of records) this.#records.push({ ...r, seq: ++this.#seq });
  }

  async list(q: RequestQuery): Promise<RequestPage> {
    // Records are stamped when their request started and written when it ended, so write order
    // is not quite time order: every record is looked at.
    const out = this.#records.filter(
      (r) =>
        !(q.after && (r.time > q.after.time || (r.time === q.after.time && r.seq >= q.after.seq))) &&
        (q.end === undefined || r.time < q.end) &&
        (q.start === undefined || r.time >= q.start) &&
        matchesFilter(r, q),
    );
    out.sort((a, b) => b.time - a.time || b.seq - a.seq);
    const page = out.slice(0, q.limit);
    const last = page[page.length - 1];
    return { records: page, next: out.length > q.limit && last ? { time: last.time, seq: last.seq } : undefined };
  }

  async prune(before: number, maxRows: number): Promise<number> {
    const kept = this.#records.filter((r) => r.time >= before);
    const over = Math.max(0, kept.length - maxRows);
    if (over > 0) kept.sort((a, b) => a.time - b.time || a.seq - b.seq).splice(0, over);
    const dropped = this.#records.length - kept.length;
    this.#records = kept.sort((a, b) => a.seq - b.seq);
    return dropped;
  }
}
