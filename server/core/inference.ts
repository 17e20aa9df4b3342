// The inference pipeline shared by every edge (gRPC, Connect, REST):
// validate -> route (aliases, breakers) -> admit (provider limits) -> call
// the provider, falling back and retrying with backoff on retryable errors ->
// finish the usage record. Accounting (budget reserve/commit/release, cost)
// wraps each request once, outside the fallback loop; the response cache
// (exact, then semantic) plugs in here, before accounting.
import { ConnectError } from "@connectrpc/connect";
import type { Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { CallContext, ChatRequest, Provider } from "../providers/provider.js";
import type { Accounting } from "./accounting/accounting.js";
import type { CacheHitRecorder } from "./accounting/cache-hits.js";
import type { Charge } from "./accounting/charge.js";
import type { CachePlan } from "./cache/policy.js";
import { SemanticStep, type SemanticLookup } from "./cache/semantic-step.js";
import type { ResponseCache } from "./cache/response-cache.js";
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
  /** [cache] charge_hits: answers from the cache are charged like any other (default: free, recorded). */
  chargeCacheHits?: boolean;
}

type Routed = { model: string; routing?: ChatRequest["routing"] };

export class Inference {
  private readonly semantic: SemanticStep | undefined;

  constructor(
    private readonly router: Router,
    private readonly health: ProviderHealth,
    private readonly latency: LatencyTracker,
    private readonly options: InferenceOptions,
    private readonly providerLimits?: ProviderLimits,
    private readonly accounting?: Accounting,
    private readonly cache?: ResponseCache,
    private readonly cacheHits?: CacheHitRecorder,
    semantic?: SemanticLookup,
  ) {
    this.semantic = semantic && new SemanticStep(semantic, (r, c) => this.embed(r, c));
  }

  /**
   * The cache sits before accounting: a hit, or a caller sharing an identical
   * request in flight, never reaches the charged path, so it is not charged
   * (its usage says cache_hit, cost 0, and is recorded as such). Only the
   * leading call is. With chargeCacheHits every caller is charged instead.
   */
  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    validateChatRequest(req, this.options.limits);
    const cachePlan = this.cache?.plan(req, { key: call.key, models: this.router.reach(req.model, req.routing) });
    if (!cachePlan) return this.generateCharged(req, call);
    if (this.options.chargeCacheHits) return this.generateCachedCharged(req, call, cachePlan);
    const upstream = (signal: AbortSignal) => this.generateCharged(req, { ...call, signal });
    const res = await this.cache!.generate(cachePlan, call.signal, (signal) => this.semanticOr(req, { ...call, signal }, cachePlan, () => upstream(signal)));
    if (res.usage?.cacheHit) {
      noteCacheHit(call, res.usage);
      await this.cacheHits?.record(req, call, res.usage);
    }
    return res;
  }

  private async generateCharged(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    const charge = await this.accounting?.begin({ kind: "chat", req }, call);
    try {
      const [res, served] = await this.generateUpstream(req, call);
      if (charge) res.usage = await charge.commit(res.usage, served, res.message);
      return res;
    } finally {
      await charge?.release();
    }
  }

  /** charge_hits: the caller's own reservation around the cache; the answer's usage is committed, hit or not. */
  private async generateCachedCharged(req: ChatRequest, call: CallContext, cachePlan: CachePlan): Promise<GenerateResponse> {
    const charge = await this.accounting?.begin({ kind: "chat", req }, call);
    try {
      const upstream = async (signal: AbortSignal) => (await this.generateUpstream(req, { ...call, signal }))[0];
      const res = await this.cache!.generate(cachePlan, call.signal, (signal) => this.semanticOr(req, { ...call, signal }, cachePlan, () => upstream(signal)));
      if (res.usage?.cacheHit) noteCacheHit(call, res.usage);
      if (charge) res.usage = await charge.commit(res.usage && { ...res.usage }, res.model || req.model, res.message);
      return res;
    } finally {
      await charge?.release();
    }
  }

  /** With a semantic cache, its step before the upstream call (cache/semantic-step.ts). */
  private semanticOr(req: ChatRequest, call: CallContext, plan: CachePlan, upstream: () => Promise<GenerateResponse>): Promise<GenerateResponse> {
    return this.semantic ? this.semantic.unary(req, call, plan, upstream) : upstream();
  }

  private semanticStreamOr(req: ChatRequest, call: CallContext, plan: CachePlan, upstream: () => AsyncIterable<GenerateStreamResponse>): AsyncIterable<GenerateStreamResponse> {
    return this.semantic ? this.semantic.stream(req, call, plan, upstream) : upstream();
  }

  /** The answer and the model that served it. */
  private async generateUpstream(req: ChatRequest, call: CallContext): Promise<[GenerateResponse, string]> {
    let served = req.model;
    const res = await this.unary(req, call, async (provider, model) => {
      const res = await provider.generate({ ...req, model }, call);
      res.usage = finishUsage(res.usage, provider);
      served = res.model || model;
      return [res, totalTokens(res.usage)];
    });
    return [res, served];
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    validateEmbedRequest(req, this.options.limits);
    const charge = await this.accounting?.begin({ kind: "embed", req }, call);
    try {
      let served = req.model;
      const res = await this.unary(req, call, async (provider, model) => {
        const res = await provider.embed({ ...req, model }, call);
        res.usage = finishUsage(res.usage, provider);
        served = model;
        return [res, totalTokens(res.usage)];
      });
      if (charge) res.usage = await charge.commit(res.usage, served);
      return res;
    } finally {
      await charge?.release();
    }
  }

  /**
   * Streams events from the first provider that starts answering. Fallback
   * and retries happen only before the first event reaches the caller; after
   * that an error ends the stream with that error.
   */
  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    validateChatRequest(req, this.options.limits);
    const cachePlan = this.cache?.plan(req, { key: call.key, models: this.router.reach(req.model, req.routing) });
    if (!cachePlan) {
      yield* this.streamCharged(req, call);
      return;
    }
    if (this.options.chargeCacheHits) {
      yield* this.streamCachedCharged(req, call, cachePlan);
      return;
    }
    // Hit: the stored events replayed. Miss: lead or join one shared upstream
    // stream; it runs on the flight's own signal, so one caller's cancel does
    // not end it for the others (see cache/flight.ts).
    const events = this.cache!.generateStream(
      cachePlan,
      call.signal,
      (signal) => this.semanticStreamOr(req, { ...call, signal }, cachePlan, () => this.streamCharged(req, { ...call, signal })),
      () => call.stats && (call.stats.cacheHit = true),
    );
    for await (const ev of events) {
      // A hit's end event is the caller's own copy (cache/entry.ts): its usage may be filled in.
      if (ev.event.case === "end" && ev.event.value.usage?.cacheHit) await this.cacheHits?.record(req, call, ev.event.value.usage);
      yield ev;
    }
  }

  /** charge_hits for streams: one reservation per caller around the cache, committed at the end event. */
  private async *streamCachedCharged(req: ChatRequest, call: CallContext, cachePlan: CachePlan): AsyncGenerator<GenerateStreamResponse> {
    const charge = await this.accounting?.begin({ kind: "chat", req }, call);
    try {
      let served = req.model;
      const events = this.cache!.generateStream(
        cachePlan,
        call.signal,
        (signal) => this.semanticStreamOr(req, { ...call, signal }, cachePlan, () => this.streamAttempts(req, { ...call, signal }, undefined)),
        () => call.stats && (call.stats.cacheHit = true),
      );
      for await (const ev of events) {
        const e = ev.event;
        if (e.case === "start") served = e.value.model || served;
        if (e.case !== "end" || !charge) {
          if (charge) charge.observe(e);
          yield ev;
          continue;
        }
        // A new end event: the one from the flight may be the cache's stored copy.
        const usage = await charge.commit(e.value.usage && { ...e.value.usage }, served);
        yield { ...ev, event: { case: "end", value: { ...e.value, usage } } };
      }
    } finally {
      await charge?.release();
    }
  }

  /** The cache's stats (GetCacheStats); undefined when the cache is off. */
  cacheStats() {
    return this.cache?.stats();
  }

  private async *streamCharged(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    const charge = await this.accounting?.begin({ kind: "chat", req }, call);
    try {
      yield* this.streamAttempts(req, call, charge);
    } finally {
      // Error, cancel, or a client that stopped reading: the generator's return() lands here.
      await charge?.release();
    }
  }

  private async *streamAttempts(req: ChatRequest, call: CallContext, charge: Charge | undefined): AsyncGenerator<GenerateStreamResponse> {
    let lastError: ConnectError | undefined;
    for (const { target, delayMs } of this.plan(req, () => lastError)) {
      await sleep(delayMs, call.signal);
      const { provider, model } = target;
      const startedAt = performance.now();
      let emitted = false;
      let tokens = 0;
      let served: string | undefined;
      noteAttempt(call, provider);
      let admission;
      try {
        admission = await this.providerLimits?.admit(provider.name);
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
            served = ev.value.model || undefined;
            this.latency.record(provider.name, performance.now() - startedAt);
          } else if (ev.case === "end") {
            ev.value.usage = finishUsage(ev.value.usage, provider);
            ev.value.message = assembler.message();
            if (charge) ev.value.usage = await charge.commit(ev.value.usage, served ?? model);
            tokens = totalTokens(ev.value.usage);
          } else {
            assembler.add(ev);
            charge?.observe(ev);
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
        admission = await this.providerLimits?.admit(provider.name);
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

/** A cached answer: who originally served it, no attempts made now. */
function noteCacheHit(call: CallContext, usage: Usage): void {
  if (!call.stats) return;
  call.stats.provider = usage.provider;
  call.stats.cacheHit = true;
}
