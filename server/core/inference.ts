// The inference pipeline shared by every edge (gRPC, Connect, REST):
// validate -> route (aliases, breakers) -> admit (provider limits) -> call
// the provider, falling back and retrying with backoff on retryable errors ->
// finish the usage record. Budget, cache and cost plug in here.
import { ConnectError } from "@connectrpc/connect";
import type { Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { CallContext, ChatRequest, Provider } from "../providers/provider.js";
import { plan, sleep, type RetryPolicy } from "./attempts.js";
import { isRetryable } from "./errors.js";
import type { LatencyTracker } from "./latency.js";
import type { ProviderHealth } from "./provider-health.js";
import type { ProviderLimits } from "./provider-limits.js";
import type { Router, Target } from "./router.js";
import { StreamAssembler } from "./stream-assembler.js";
import { validateChatRequest, validateEmbedRequest, type RequestLimits } from "./validate.js";

export interface InferenceOptions extends Omit<RetryPolicy, "maxAttempts"> {
  /** Try the next matching provider (and retry) when one fails with a retryable error. */
  fallback: boolean;
  maxAttempts: number;
  limits: RequestLimits;
}

type Routed = { model: string; routing?: ChatRequest["routing"] };

export class Inference {
  constructor(
    private readonly router: Router,
    private readonly health: ProviderHealth,
    private readonly latency: LatencyTracker,
    private readonly options: InferenceOptions,
    private readonly providerLimits?: ProviderLimits,
  ) {}

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    validateChatRequest(req, this.options.limits);
    return this.unary(req, call, async (provider, model) => {
      const res = await provider.generate({ ...req, model }, call);
      res.usage = finishUsage(res.usage, provider);
      return [res, totalTokens(res.usage)];
    });
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    validateEmbedRequest(req, this.options.limits);
    return this.unary(req, call, async (provider, model) => {
      const res = await provider.embed({ ...req, model }, call);
      res.usage = finishUsage(res.usage, provider);
      return [res, totalTokens(res.usage)];
    });
  }

  /**
   * Streams events from the first provider that starts answering. Fallback
   * and retries happen only before the first event reaches the caller; after
   * that an error ends the stream with that error.
   */
  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    validateChatRequest(req, this.options.limits);
    let lastError: ConnectError | undefined;
    for (const { target, delayMs } of this.plan(req, () => lastError)) {
      await sleep(delayMs, call.signal);
      const { provider, model } = target;
      const startedAt = performance.now();
      let emitted = false;
      let tokens = 0;
      noteAttempt(call, provider);
      let admission;
      try {
        admission = this.providerLimits?.admit(provider.name);
      } catch (err) {
        lastError = ConnectError.from(err);
        continue;
      }
      try {
        const assembler = new StreamAssembler();
        for await (const response of provider.generateStream({ ...req, model }, call)) {
          const ev = response.event;
          if (ev.case === "start") {
            ev.value.provider = provider.name;
            this.latency.record(provider.name, performance.now() - startedAt);
          } else if (ev.case === "end") {
            ev.value.usage = finishUsage(ev.value.usage, provider);
            ev.value.message = assembler.message();
            tokens = totalTokens(ev.value.usage);
          } else {
            assembler.add(ev);
          }
          emitted = true;
          // Time up to each event is upstream time; time the caller spends consuming is not ours either.
          addUpstream(call, startedAt);
          yield response;
          resumeClock(call);
        }
        this.health.success(provider.name);
        return;
      } catch (err) {
        const error = ConnectError.from(err);
        // The caller's own cancel or deadline says nothing about the provider.
        if (!call.signal.aborted) this.health.failure(provider.name, error);
        if (emitted || call.signal.aborted || !this.options.fallback || !isRetryable(error)) throw error;
        lastError = error;
      } finally {
        admission?.done(tokens);
      }
    }
    throw lastError!;
  }

  private plan(req: Routed, lastError: () => ConnectError | undefined) {
    const targets: Target[] = this.router.targets(req.model, req.routing);
    return plan(targets, { ...this.options, maxAttempts: this.options.fallback ? this.options.maxAttempts : 1 }, lastError);
  }

  private async unary<T>(req: Routed, call: CallContext, run: (p: Provider, model: string) => Promise<[T, number]>): Promise<T> {
    let lastError: ConnectError | undefined;
    for (const { target, delayMs } of this.plan(req, () => lastError)) {
      await sleep(delayMs, call.signal);
      const { provider, model } = target;
      const startedAt = performance.now();
      noteAttempt(call, provider);
      let admission;
      let admitted = false;
      let tokens = 0;
      try {
        admission = this.providerLimits?.admit(provider.name);
        admitted = true;
        const [result, used] = await run(provider, model).finally(() => addUpstream(call, startedAt));
        tokens = used;
        this.latency.record(provider.name, performance.now() - startedAt);
        this.health.success(provider.name);
        return result;
      } catch (err) {
        const error = ConnectError.from(err);
        // A refused admission or the caller's own cancel says nothing about the provider.
        if (admitted && !call.signal.aborted) this.health.failure(provider.name, error);
        if (call.signal.aborted || !this.options.fallback || !isRetryable(error)) throw error;
        lastError = error;
      } finally {
        admission?.done(tokens);
      }
    }
    throw lastError!;
  }
}

function totalTokens(usage: Usage | undefined): number {
  return usage ? usage.inputTokens + usage.outputTokens : 0;
}

function noteAttempt(call: CallContext, provider: Provider): void {
  if (!call.stats) return;
  call.stats.provider = provider.name;
  call.stats.attempts++;
}

/** Stream clock: upstream time accumulates between resumes and events. */
const resumedAt = new WeakMap<CallContext, number>();

function addUpstream(call: CallContext, startedAt: number): void {
  if (!call.stats) return;
  const now = performance.now();
  call.stats.upstreamMs += now - (resumedAt.get(call) ?? startedAt);
  resumedAt.set(call, now);
}

function resumeClock(call: CallContext): void {
  if (call.stats) resumedAt.set(call, performance.now());
}

/** The provider's reported usage, completed with who served it. */
function finishUsage(usage: Usage | undefined, provider: Provider): Usage | undefined {
  if (usage) usage.provider = provider.name;
  return usage;
}
