// Requests in flight per API key and per team, against their max_concurrent_requests: counted in
// this process (like a provider's max_concurrency), entered when a request is admitted and left
// when its answer ends, however it ends.
import { Code, ConnectError } from "@connectrpc/connect";

export class InFlight {
  readonly #counts = new Map<string, number>();

  /** Counts one request of key `id` (and of its team); throws ResourceExhausted at a limit. Returns the leave function (idempotent). */
  enter(id: string, keyMax: number | undefined, team: string | undefined, teamMax: number | undefined): () => void {
    const subjects: string[] = [];
    const take = (subject: string, max: number | undefined, label: string): void => {
      const n = this.#counts.get(subject) ?? 0;
      if (max !== undefined && n >= max) {
        for (const s of subjects) this.#leave(s);
        throw new ConnectError(`${label} has ${n} requests in flight, its limit (max_concurrent_requests ${max}); retry when one ends`, Code.ResourceExhausted, { "retry-after": "1" });
      }
      this.#counts.set(subject, n + 1);
      subjects.push(subject);
    };
    take(`key:${id}`, keyMax, `API key ${JSON.stringify(id)}`);
    if (team !== undefined) take(`team:${team}`, teamMax, `team ${JSON.stringify(team)}`);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      for (const s of subjects) this.#leave(s);
    };
  }

  /** Requests in flight for a subject ("key:<id>" or "team:<name>"). */
  count(subject: string): number {
    return this.#counts.get(subject) ?? 0;
  }

  #leave(subject: string): void {
    const n = (this.#counts.get(subject) ?? 1) - 1;
    if (n <= 0) this.#counts.delete(subject);
    else this.#counts.set(subject, n);
  }
}
