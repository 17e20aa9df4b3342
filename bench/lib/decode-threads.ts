// Exploratory (bench only, not in the engine: measured worse, bench/results/2026-12-07-local-llm-threads.md):
// threads per llama_decode of one context, `lone` while at most one sequence generates,
// `parallel` while two or more do.
//
// node-llama-cpp 3.21.1 has no public per-batch thread setting: it calls llama_set_n_threads
// (its binding's setThreads) with the context's fixed thread count right before each decode. So
// the binding's decodeBatch of this one context is wrapped to set the count wanted now; the
// setter is a no-op when the count does not change. The hook is checked when it is attached.
import type { LlamaContext } from "node-llama-cpp";

interface Binding {
  setThreads(threads: number): void;
  decodeBatch(): Promise<void>;
}

export class DecodeThreads {
  private generating = 0;
  /** Threads each decode was given, by thread count (for tests and benchmarks). */
  readonly decodes = new Map<number, number>();

  constructor(
    readonly lone: number,
    readonly parallel: number,
  ) {}

  /** The thread count the context must be created with: the most it will use. */
  get max(): number {
    return Math.max(this.lone, this.parallel);
  }

  /** Threads the next decode gets. */
  get current(): number {
    return this.generating >= 2 ? this.parallel : this.lone;
  }

  /** Counts one sequence as generating until the returned function is called (once). */
  begin(): () => void {
    this.generating++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.generating--;
    };
  }

  /** Makes every decode of `context` use `current` threads. */
  attach(context: LlamaContext): void {
    if (this.lone === this.parallel) return; // the context's own count is right: nothing to hook
    const binding = (context as unknown as { _ctx?: Partial<Binding> })._ctx;
    if (typeof binding?.setThreads !== "function" || typeof binding.decodeBatch !== "function") {
      throw new Error("this node-llama-cpp has no per-decode thread hook (expected 3.21.1)");
    }
    const { setThreads, decodeBatch } = binding as Binding;
    // The binding's methods are read-only on its prototype: shadow this instance's own.
    Object.defineProperty(binding, "decodeBatch", {
      configurable: true,
      value: () => {
        const threads = this.current;
        setThreads.call(binding, threads);
        this.decodes.set(threads, (this.decodes.get(threads) ?? 0) + 1);
        return decodeBatch.call(binding);
      },
    });
  }
}
