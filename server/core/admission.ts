/**
 * Load shedding in front of the inference pipeline: past what the process can serve, a request is
 * refused at once, before any work, instead of making every request slow.
 * - In flight: at most `maxInFlight` inference requests (streams count until they end). Past it, a
 *   request waits in a FIFO queue of at most `maxQueued`, for at most `queueTimeoutMs`; a full queue
 *   or a wait that runs out is RESOURCE_EXHAUSTED (HTTP 429) with retry-after.
 * - Event-loop delay (optional, `maxEventLoopDelayMs` > 0): a timer every SAMPLE_MS measures how late
 *   it fires; while the smoothed delay is over the bound (the process has more work than CPU), new
 *   requests are UNAVAILABLE (HTTP 503) with retry-after, and the requests already admitted finish
 *   with the CPU they need. Off by default: on a machine shared with other work the loop is also
 *   late when another process takes the CPU, and that is not a reason to refuse.
 */
import { Code, ConnectError } from "@connectrpc/connect";

export interface AdmissionOptions {
  maxInFlight: number;
  maxQueued: number;
  queueTimeoutMs: number;
  /** 0: off. */
  maxEventLoopDelayMs: number;
}

interface Waiter {
  admit: () => void;
}

const SAMPLE_MS = 20;
/** Weight of the newest sample in the smoothed delay. */
const SMOOTHING = 0.3;
const RETRY_AFTER_S = "1";

export class Admission {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private delayMs = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AdmissionOptions) {
    if (options.maxEventLoopDelayMs > 0) {
      let expected = performance.now() + SAMPLE_MS;
      this.timer = setInterval(() => {
        const now = performance.now();
        this.delayMs = this.delayMs * (1 - SMOOTHING) + Math.max(0, now - expected) * SMOOTHING;
        expected = now + SAMPLE_MS;
      }, SAMPLE_MS);
      this.timer.unref();
    }
  }

  /** Requests being served now, and waiting for a slot. */
  get load(): { inFlight: number; queued: number; eventLoopDelayMs: number } {
    return { inFlight: this.inFlight, queued: this.queue.length, eventLoopDelayMs: this.delayMs };
  }

  /** Admits one request (waiting for a slot if need be); the returned function ends it. Throws when shed. */
  async enter(signal: AbortSignal): Promise<() => void> {
    const { maxEventLoopDelayMs, maxInFlight, maxQueued } = this.options;
    if (maxEventLoopDelayMs > 0 && this.delayMs > maxEventLoopDelayMs) {
      throw overloaded(`the event loop is ${Math.round(this.delayMs)} ms late (server.max_event_loop_delay_ms = ${maxEventLoopDelayMs})`, Code.Unavailable);
    }
    if (this.inFlight < maxInFlight && this.queue.length === 0) {
      this.inFlight++;
      return this.exit;
    }
    if (this.queue.length >= maxQueued) {
      throw overloaded(`${this.inFlight} requests in flight (server.max_in_flight) and ${this.queue.length} waiting (server.max_queued)`, Code.ResourceExhausted);
    }
    await this.wait(signal);
    return this.exit;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private readonly exit = (): void => {
    const next = this.queue.shift();
    if (next) next.admit();
    else this.inFlight--;
  };

  /** Waits in the queue; the slot is handed over by exit() (inFlight stays counted). */
  private wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const leave = (err: unknown) => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        reject(err);
      };
      const onAbort = () => leave(signal.reason);
      const timer = setTimeout(
        () => leave(overloaded(`no slot within server.queue_timeout_ms (${this.options.queueTimeoutMs} ms); ${this.inFlight} requests in flight`, Code.ResourceExhausted)),
        this.options.queueTimeoutMs,
      );
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }
}

function overloaded(why: string, code: Code): ConnectError {
  return new ConnectError(`server overloaded: ${why}; retry later`, code, { "retry-after": RETRY_AFTER_S });
}
