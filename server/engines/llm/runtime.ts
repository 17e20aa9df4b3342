// One llama.cpp runtime (node-llama-cpp's Llama: native binding, thread budget, logger),
// created on first use and owned by whoever constructs it: an app or a provider, never the
// module. node-llama-cpp itself is imported lazily too: it costs ~350 ms of startup, which an
// app without local models should not pay.
import type { Llama } from "node-llama-cpp";

export type LlamaModule = typeof import("node-llama-cpp");

export interface LlamaHandle {
  llama: Llama;
  lib: LlamaModule;
}

export class LlamaRuntime {
  private pending: Promise<LlamaHandle> | undefined;
  private disposed = false;

  /** The shared Llama; the first call loads the prebuilt binary (0.5–1.5 s). Never compiles. */
  get(): Promise<LlamaHandle> {
    if (this.disposed) return Promise.reject(new Error("the llama.cpp runtime was closed"));
    this.pending ??= this.create().catch((err: unknown) => {
      this.pending = undefined; // a failed start may be retried by the next request
      throw err;
    });
    return this.pending;
  }

  private async create(): Promise<LlamaHandle> {
    const lib = await import("node-llama-cpp");
    const llama = await lib.getLlama({
      // Prebuilt CPU binary only: building or downloading at run time is never wanted here.
      build: "never",
      gpu: false,
      // llama.cpp warns about harmless metadata quirks (e.g. "bad special token") at every load.
      logLevel: lib.LlamaLogLevel.error,
    });
    if (this.disposed) {
      await llama.dispose();
      throw new Error("the llama.cpp runtime was closed");
    }
    return { llama, lib };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    const handle = await pending.catch(() => undefined);
    await handle?.llama.dispose();
  }
}
