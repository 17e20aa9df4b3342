// One local model served in-process: admission (slots + bounded queue), loading at startup or
// on first use, unloading after an idle period, chat and embeddings, and a close that stops
// whatever still runs. One instance per configured model; the llama.cpp runtime is passed in.
import { Code, ConnectError } from "@connectrpc/connect";
import { invalidArgument } from "../../core/errors.js";
import { runChat } from "./chat.js";
import { LoadedModel } from "./loaded-model.js";
import type { LlamaRuntime } from "./runtime.js";
import { abortError, Slots } from "./slots.js";
import type { ChatOptions, ChatResult, EmbedResult, LlmModelConfig } from "./types.js";

export class LocalLlm {
  private readonly slots: Slots;
  private loaded: LoadedModel | undefined;
  private loading: Promise<LoadedModel> | undefined;
  /** Requests admitted or waiting: the model stays loaded while any exist. */
  private busy = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly closing = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    readonly config: LlmModelConfig,
    private readonly runtime: LlamaRuntime,
  ) {
    this.slots = new Slots(config.name, config.sequences, config.maxQueue, config.contexts);
  }

  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  /** Requests holding a sequence, by context (tests, diagnostics). */
  get generating(): number[] {
    return this.slots.inUse;
  }

  /** The loaded model (tests, diagnostics); undefined when not loaded. */
  get model(): LoadedModel | undefined {
    return this.loaded;
  }

  /** The load in progress (settles either way), or undefined when none is. */
  get pendingLoad(): Promise<void> | undefined {
    return this.loading?.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Loads now (load = "startup"). A failure is left for the next request to retry and report. */
  warm(): Promise<void> {
    return this.ensureLoaded(this.closing.signal).then(
      () => this.scheduleIdleUnload(),
      () => undefined,
    );
  }

  async chat(opts: ChatOptions): Promise<ChatResult> {
    if (opts.maxTokens > this.config.contextSize) {
      throw invalidArgument(
        "sampling.max_tokens",
        `${opts.maxTokens} exceeds the context size of local model "${this.config.name}" (${this.config.contextSize} tokens, local.context_size)`,
      );
    }
    return this.use(opts.signal, async (signal) => {
      const slot = await this.slots.acquire(signal);
      try {
        const loaded = await this.ensureLoaded(signal);
        return await runChat(loaded, loaded.sequences[slot]!, { ...opts, signal });
      } finally {
        this.slots.release(slot);
      }
    });
  }

  /** One vector per input, in order. Inputs longer than the context are refused, not cut. */
  embed(inputs: readonly string[], signal: AbortSignal): Promise<EmbedResult> {
    return this.use(signal, async (linked) => {
      const loaded = await this.ensureLoaded(linked);
      const context = await loaded.embeddingContext();
      const vectors: number[][] = [];
      let inputTokens = 0;
      for (const [i, input] of inputs.entries()) {
        if (linked.aborted) throw abortError(linked);
        const length = context.calculateInputLength(input);
        if (length >= loaded.contextSize) {
          throw invalidArgument(`inputs[${i}]`, `has ${length} tokens; local model "${this.config.name}" embeds fewer than ${loaded.contextSize} (local.context_size)`);
        }
        inputTokens += length;
        vectors.push([...(await context.getEmbeddingFor(input)).vector]);
      }
      return { vectors, inputTokens };
    });
  }

  /** Stops running requests, refuses waiting ones and frees the model's memory. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const closed = new ConnectError(`local model "${this.config.name}" is shutting down`, Code.Unavailable);
    this.closing.abort(closed);
    this.slots.rejectWaiting(closed);
    await Promise.allSettled([...this.running]);
    await this.unload();
  }

  private async use<T>(signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closing.signal.aborted) throw abortError(this.closing.signal);
    const linked = AbortSignal.any([signal, this.closing.signal]);
    this.busy++;
    clearTimeout(this.idleTimer);
    const run = fn(linked);
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
      this.busy--;
      this.scheduleIdleUnload();
    }
  }

  private ensureLoaded(signal: AbortSignal): Promise<LoadedModel> {
    if (this.loaded) return Promise.resolve(this.loaded);
    this.loading ??= this.runtime
      .get()
      .then((handle) => LoadedModel.load(handle, this.config))
      .then(
        (loaded) => {
          this.loaded = loaded;
          this.loading = undefined;
          return loaded;
        },
        (err: unknown) => {
          this.loading = undefined;
          throw new ConnectError(
            `local model "${this.config.name}" failed to load from ${this.config.modelPath}: ${(err as Error).message ?? String(err)}`,
            Code.Unavailable,
          );
        },
      );
    // The load goes on for the next request; this caller stops waiting when it goes away.
    return raceAbort(this.loading, signal);
  }

  private scheduleIdleUnload(): void {
    clearTimeout(this.idleTimer);
    if (this.busy > 0 || !this.loaded || this.config.idleUnloadMs <= 0 || this.closing.signal.aborted) return;
    this.idleTimer = setTimeout(() => {
      if (this.busy === 0) void this.unload();
    }, this.config.idleUnloadMs);
    this.idleTimer.unref();
  }

  private async unload(): Promise<void> {
    const loading = this.loading;
    if (loading) await loading.catch(() => undefined);
    const loaded = this.loaded;
    this.loaded = undefined;
    await loaded?.dispose();
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
