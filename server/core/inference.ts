// The inference pipeline shared by every edge (gRPC, Connect, REST):
// validate -> route -> call the provider (falling back on retryable errors)
// -> finish the usage record. Budget, cache and cost plug in here.
import { ConnectError } from "@connectrpc/connect";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { CallContext, ChatRequest, Provider } from "../providers/provider.js";
import { isRetryable } from "./errors.js";
import type { LatencyTracker } from "./latency.js";
import type { ProviderHealth } from "./provider-health.js";
import type { Router } from "./router.js";
import { StreamAssembler } from "./stream-assembler.js";
import { validateChatRequest, validateEmbedRequest, type RequestLimits } from "./validate.js";

export interface InferenceOptions {
  /** Try the next matching provider when one fails with a retryable error. */
  fallback: boolean;
  maxAttempts: number;
  limits: RequestLimits;
}

export class Inference {
  constructor(
    private readonly router: Router,
    private readonly health: ProviderHealth,
    private readonly latency: LatencyTracker,
    private readonly options: InferenceOptions,
  ) {}

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    validateChatRequest(req, this.options.limits);
    return this.withFallback(req.model, req, call, async (provider) => {
      const res = await provider.generate(req, call);
      res.usage = finishUsage(res.usage, provider);
      return res;
    });
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    validateEmbedRequest(req, this.options.limits);
    return this.withFallback(req.model, req, call, async (provider) => {
      const res = await provider.embed(req, call);
      res.usage = finishUsage(res.usage, provider);
      return res;
    });
  }

  /**
   * Streams events from the first provider that starts answering. Fallback
   * happens only before the first event reaches the caller; after that an
   * error ends the stream.
   */
  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    validateChatRequest(req, this.options.limits);
    const candidates = this.attempts(req.model, req);
    let lastError: ConnectError | undefined;
    for (const provider of candidates) {
      const startedAt = performance.now();
      let emitted = false;
      noteAttempt(call, provider);
      try {
        const assembler = new StreamAssembler();
        for await (const response of provider.generateStream(req, call)) {
          const ev = response.event;
          if (ev.case === "start") {
            ev.value.provider = provider.name;
            this.latency.record(provider.name, performance.now() - startedAt);
          } else if (ev.case === "end") {
            ev.value.usage = finishUsage(ev.value.usage, provider);
            ev.value.message = assembler.message();
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
      }
    }
    throw lastError!;
  }

  private attempts(model: string, req: { routing?: ChatRequest["routing"] }): Provider[] {
    return this.router.candidates(model, req.routing).slice(0, this.options.fallback ? this.options.maxAttempts : 1);
  }

  private async withFallback<T>(model: string, req: { routing?: ChatRequest["routing"] }, call: CallContext, run: (p: Provider) => Promise<T>): Promise<T> {
    let lastError: ConnectError | undefined;
    for (const provider of this.attempts(model, req)) {
      const startedAt = performance.now();
      noteAttempt(call, provider);
      try {
        const result = await run(provider).finally(() => addUpstream(call, startedAt));
        this.latency.record(provider.name, performance.now() - startedAt);
        this.health.success(provider.name);
        return result;
      } catch (err) {
        const error = ConnectError.from(err);
        // The caller's own cancel or deadline says nothing about the provider.
        if (!call.signal.aborted) this.health.failure(provider.name, error);
        if (call.signal.aborted || !this.options.fallback || !isRetryable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError!;
  }
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
