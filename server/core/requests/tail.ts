/**
 * TailRequests' subscribers: each new record goes to every subscriber whose filter it passes, at
 * once (as the request ends, before the record is written to the store). A subscriber that reads
 * slower than records come loses the oldest unread ones beyond MAX_QUEUED, so it never holds
 * memory without bound nor slows the requests.
 */
import { matchesFilter, type RequestFilter, type RequestRecord } from "./record.js";

const MAX_QUEUED = 1000;

interface Subscriber {
  readonly filter: RequestFilter;
  readonly queue: RequestRecord[];
  wake?: () => void;
  ended: boolean;
}

export class Tail {
  readonly #subscribers = new Set<Subscriber>();

  get subscribers(): number {
    return this.#subscribers.size;
  }

  publish(r: RequestRecord): void {
    for (const s of this.#subscribers) {
      if (!matchesFilter(r, s.filter)) continue;
      s.queue.push(r);
      if (s.queue.length > MAX_QUEUED) s.queue.shift();
      s.wake?.();
    }
  }

  /**
   * New records passing `filter`, until `signal` aborts or end() is called. The subscription
   * starts at this call, not at the first read, so a caller can tell when it is listening
   * (TailRequests' ready message); an abort drops it even if it is never read.
   */
  follow(filter: RequestFilter, signal: AbortSignal): AsyncGenerator<RequestRecord> {
    const s: Subscriber = { filter, queue: [], ended: false };
    const onAbort = () => {
      this.#subscribers.delete(s);
      s.wake?.();
    };
    signal.addEventListener("abort", onAbort);
    if (!signal.aborted) this.#subscribers.add(s);
    return this.#drain(s, signal, onAbort);
  }

  async *#drain(s: Subscriber, signal: AbortSignal, onAbort: () => void): AsyncGenerator<RequestRecord> {
    try {
      while (!signal.aborted && !s.ended) {
        const next = s.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (s.wake = resolve));
        s.wake = undefined;
      }
    } finally {
      this.#subscribers.delete(s);
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** Ends every subscription (the app is being replaced: its callers reconnect to the new one). */
  end(): void {
    for (const s of this.#subscribers) {
      s.ended = true;
      s.wake?.();
    }
  }
}
