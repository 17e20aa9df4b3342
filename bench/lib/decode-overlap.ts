// How much of the time several contexts of one model decode at once (bench only): wraps each
// context's binding decodeBatch (node-llama-cpp 3.21.1 internals, as decode-threads.ts) and adds up
// the time with one, and with two or more, llama_decode calls in flight.
import type { LlamaContext } from "node-llama-cpp";

export class DecodeOverlap {
  private inFlight = 0;
  private since = 0;
  /** Milliseconds with at least one / at least two decodes in flight. */
  busyMs = 0;
  overlapMs = 0;

  attach(context: LlamaContext): void {
    const binding = (context as unknown as { _ctx: { decodeBatch(): Promise<void> } })._ctx;
    const decodeBatch = binding.decodeBatch;
    Object.defineProperty(binding, "decodeBatch", {
      configurable: true,
      value: async () => {
        this.change(+1);
        try {
          return await decodeBatch.call(binding);
        } finally {
          this.change(-1);
        }
      },
    });
  }

  reset(): void {
    this.busyMs = 0;
    this.overlapMs = 0;
  }

  private change(delta: number): void {
    const now = performance.now();
    if (this.inFlight >= 1) this.busyMs += now - this.since;
    if (this.inFlight >= 2) this.overlapMs += now - this.since;
    this.since = now;
    this.inFlight += delta;
  }
}
