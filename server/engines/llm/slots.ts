// Admission for one model: `size` slots (one per context sequence) and a bounded FIFO of
// requests waiting for one. A full queue is refused at once (ResourceExhausted) rather than
// letting latency grow without bound; the router may then try another provider. Slot i belongs
// to group i % groups (a llama.cpp context): a free slot is taken from the least busy group, so
// concurrent requests decode on different contexts, in parallel.
import { Code, ConnectError } from "@connectrpc/connect";

interface Waiter {
  resolve(slot: number): void;
  reject(err: unknown): void;
  signal: AbortSignal;
  onAbort(): void;
}

export class Slots {
  private readonly free: number[];
  private readonly waiters: Waiter[] = [];
  /** Slots in use, by group. */
  private readonly busy: number[];

  constructor(
    private readonly model: string,
    size: number,
    private readonly maxQueue: number,
    private readonly groups = 1,
  ) {
    this.free = Array.from({ length: size }, (_, i) => i);
    this.busy = Array.from({ length: groups }, () => 0);
  }

  /** Slots in use in each group (a copy). */
  get inUse(): number[] {
    return [...this.busy];
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with a free slot index; give it back with release(). */
  acquire(signal: AbortSignal): Promise<number> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    const slot = this.takeFree();
    if (slot !== undefined) return Promise.resolve(slot);
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(
        new ConnectError(
          `local model "${this.model}" is busy: its request queue is full (${this.waiters.length} waiting, max_queue = ${this.maxQueue}); retry later`,
          Code.ResourceExhausted,
        ),
      );
    }
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError(signal));
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: number): void {
    const next = this.waiters.shift();
    if (!next) {
      this.busy[slot % this.groups]!--;
      this.free.push(slot);
      return;
    }
    next.signal.removeEventListener("abort", next.onAbort);
    next.resolve(slot);
  }

  /** The lowest free slot of the least busy group, taken; undefined when none is free. */
  private takeFree(): number | undefined {
    const load = (slot: number) => this.busy[slot % this.groups]!;
    let best: number | undefined;
    for (const slot of this.free) {
      if (best === undefined || load(slot) < load(best) || (load(slot) === load(best) && slot < best)) best = slot;
    }
    if (best === undefined) return undefined;
    this.free.splice(this.free.indexOf(best), 1);
    this.busy[best % this.groups]!++;
    return best;
  }

  /** Refuses everyone still waiting (on close). */
  rejectWaiting(err: Error): void {
    for (const w of this.waiters.splice(0)) {
      w.signal.removeEventListener("abort", w.onAbort);
      w.reject(err);
    }
  }
}

/** The caller's reason when it is a ConnectError (deadline, shutdown), else Canceled. */
export function abortError(signal: AbortSignal): ConnectError {
  const reason: unknown = signal.reason;
  return reason instanceof ConnectError ? reason : new ConnectError("the request was cancelled", Code.Canceled);
}
