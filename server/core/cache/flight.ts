// Singleflight: identical requests in flight share one upstream call.
//
// Cancellation policy (both kinds): the upstream call runs on the flight's own
// AbortSignal, not on any one caller's. A caller that cancels (or hits its
// deadline) only detaches itself: it gets its cancel error, and the upstream
// call goes on for the others. When the last caller has detached, the flight
// aborts the upstream call (nobody is left to pay attention to it) and leaves
// the table, so a request arriving after that starts a fresh call.
// Upstream errors go to every caller attached at the time; nothing is stored.
import { Code, ConnectError } from "@connectrpc/connect";

import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";

/** The error a detaching caller gets. */
function cancelError(signal: AbortSignal): ConnectError {
  return ConnectError.from(signal.reason ?? new ConnectError("request cancelled", Code.Canceled), Code.Canceled);
}

/** One shared unary call. */
export class UnaryFlight<T> {
  private readonly controller = new AbortController();
  private readonly result: Promise<T>;
  private waiters = 0;
  private settled = false;

  constructor(run: (signal: AbortSignal) => Promise<T>, onDone: () => void) {
    this.result = run(this.controller.signal).finally(() => {
      this.settled = true;
      onDone();
    });
    // Unobserved if every caller detached before it settled.
    this.result.catch(() => {});
  }

  /** Waits for the shared result; rejects early if `signal` aborts. */
  join(signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(cancelError(signal));
    this.waiters++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.leave();
        reject(cancelError(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.result.then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          if (!signal.aborted) { this.waiters--; resolve(v); }
        },
        (e: unknown) => {
          signal.removeEventListener("abort", onAbort);
          if (!signal.aborted) { this.waiters--; reject(e); }
        },
      );
    });
  }

  private leave(): void {
    if (--this.waiters === 0 && !this.settled) this.controller.abort(new ConnectError("every caller cancelled", Code.Canceled));
  }
}

/**
 * One shared stream: a fan-out buffer. The pump reads upstream as fast as it
 * produces (LLM answers are small; the whole answer is kept for the cache
 * anyway) and every subscriber reads the buffer at its own pace from the first
 * event, so a late joiner gets the events so far, then live ones.
 */
export class StreamFlight {
  private readonly controller = new AbortController();
  private readonly events: GenerateStreamResponse[] = [];
  private done = false;
  private failed = false;
  private error: unknown;
  private subscribers = 0;
  private wake: Array<() => void> = [];

  /**
   * `onEnd(events)` runs once the upstream completed normally (never after an
   * error or abort); `onClose` runs when the flight stops taking subscribers.
   */
  constructor(
    source: (signal: AbortSignal) => AsyncIterable<GenerateStreamResponse>,
    private readonly onEnd: (events: readonly GenerateStreamResponse[]) => void,
    private readonly onClose: () => void,
  ) {
    void this.pump(source);
  }

  /** Whether a new caller may still join (not finished, not abandoned). */
  get open(): boolean {
    return !this.done && !this.controller.signal.aborted;
  }

  private async pump(source: (signal: AbortSignal) => AsyncIterable<GenerateStreamResponse>): Promise<void> {
    try {
      for await (const ev of source(this.controller.signal)) {
        if (this.controller.signal.aborted) break;
        this.events.push(ev);
        this.notify();
      }
      if (this.controller.signal.aborted) throw this.controller.signal.reason;
      this.done = true;
      this.onClose();
      this.onEnd(this.events);
    } catch (err) {
      this.failed = true;
      this.error = err;
      this.done = true;
      this.onClose();
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const w of wake) w();
  }

  /** The events from the first one on; `map` lets followers see a marked copy. */
  async *subscribe(signal: AbortSignal, map: (ev: GenerateStreamResponse) => GenerateStreamResponse = (ev) => ev): AsyncGenerator<GenerateStreamResponse> {
    this.subscribers++;
    let i = 0;
    try {
      for (;;) {
        if (signal.aborted) throw cancelError(signal);
        if (i < this.events.length) {
          yield map(this.events[i++] as GenerateStreamResponse);
          continue;
        }
        if (this.done) {
          if (this.failed) throw this.error;
          return;
        }
        await this.changed(signal);
      }
    } finally {
      if (--this.subscribers === 0 && !this.done) {
        this.controller.abort(new ConnectError("every caller cancelled", Code.Canceled));
        this.onClose();
      }
    }
  }

  /** Resolves on the next event or the end; rejects when `signal` aborts. */
  private changed(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(cancelError(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      this.wake.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }
}
