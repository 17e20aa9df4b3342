// A small pool of heavy engine instances (a pocketsphinx decoder holds ~150 MB):
// at most `size` exist, idle ones are reused, requests beyond that wait in a
// bounded queue, and past the queue they get RESOURCE_EXHAUSTED at once.
import { Code, ConnectError } from "@connectrpc/connect";

export interface PoolOptions<T> {
  /** Named in errors, e.g. `provider "ps"`. */
  name: string;
  size: number;
  maxQueue: number;
  create(): Promise<T>;
  destroy(item: T): void;
}

export interface PoolStats {
  created: number;
  idle: number;
  busy: number;
  queued: number;
}

interface Waiter<T> {
  resolve(item: T): void;
  reject(err: unknown): void;
}

export class EnginePool<T> {
  private readonly idle: T[] = [];
  private readonly queue: Waiter<T>[] = [];
  private created = 0;
  private busy = 0;
  private closed = false;

  constructor(private readonly opts: PoolOptions<T>) {}

  get stats(): PoolStats {
    return { created: this.created, idle: this.idle.length, busy: this.busy, queued: this.queue.length };
  }

  async acquire(signal: AbortSignal): Promise<T> {
    if (this.closed) throw new ConnectError(`${this.opts.name} is shut down`, Code.Unavailable);
    const ready = this.idle.pop();
    if (ready !== undefined) {
      this.busy++;
      return ready;
    }
    if (this.created < this.opts.size) {
      this.created++;
      this.busy++;
      try {
        return await this.opts.create();
      } catch (err) {
        this.created--;
        this.busy--;
        this.handOn();
        throw err;
      }
    }
    if (this.queue.length >= this.opts.maxQueue) {
      throw new ConnectError(`${this.opts.name} is busy: ${this.busy} decoding and ${this.queue.length} waiting (limit ${this.opts.maxQueue}); retry later`, Code.ResourceExhausted);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve: (item) => {
          signal.removeEventListener("abort", onAbort);
          resolve(item);
        },
        reject,
      };
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal.reason instanceof ConnectError ? signal.reason : new ConnectError("the request was cancelled", Code.Canceled));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Returns an instance; a broken one (`healthy` false) is destroyed instead of reused. */
  release(item: T, healthy = true): void {
    this.busy--;
    if (!healthy || this.closed) {
      this.created--;
      this.opts.destroy(item);
      this.handOn();
      return;
    }
    const next = this.queue.shift();
    if (next) {
      this.busy++;
      next.resolve(item);
    } else this.idle.push(item);
  }

  /** A slot freed up without an instance to hand over: let the next waiter create one. */
  private handOn(): void {
    const next = this.queue.shift();
    if (!next) return;
    this.acquire(new AbortController().signal).then(next.resolve, next.reject);
  }

  close(): void {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(new ConnectError(`${this.opts.name} is shut down`, Code.Unavailable));
    for (const item of this.idle.splice(0)) {
      this.created--;
      this.opts.destroy(item);
    }
  }
}
