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
import type { Accounting, Chargeable } from "./accounting/accounting.js";
import type { Admission } from "./admission.js";
import type { CacheHitRecorder } from "./accounting/cache-hits.js";
import type { Charge } from "./accounting/charge.js";
import type { ContextWindow } from "./context-window.js";
import type { CachePlan } from "./cache/policy.js";
import { SemanticStep, type SemanticLookup } from "./cache/semantic-step.js";
import type { ResponseCache } from "./cache/response-cache.js";
import { plan, sleep, type RetryPolicy } from "./attempts.js";
import { isRetryable } from "./errors.js";
import type { LatencyTracker } from "./latency.js";
import type { ProviderHealth } from "./provider-health.js";
import type { ProviderLimits } from "./provider-limits.js";
import type { Router } from "./router.js";
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

/** What the pipeline is built from (app.ts wires it); the optional parts are off when absent. */
export interface InferenceDeps {
  router: Router;
  health: ProviderHealth;
  latency: LatencyTracker;
  options: InferenceOptions;
  providerLimits?: ProviderLimits | undefined;
  accounting?: Accounting | undefined;
  cache?: ResponseCache | undefined;
  cacheHits?: CacheHitRecorder | undefined;
  semantic?: SemanticLookup | undefined;
  /** Load shedding (admission.ts); none: every request is admitted. */
  admission?: Admission | undefined;
  /** Prompt plus max_tokens against the model's window (context-window.ts); none: not checked. */
  window?: ContextWindow | undefined;
}

type Routed = { model: string; routing?: ChatRequest["routing"] };

/** One attempt at one provider, as the attempt loop and the attempt's body share it. */
interface Attempt {
  provider: Provider;
  model: string;
  startedAt: number;
  /** Tokens the attempt used, for the provider's token window. */
  tokens: number;
}

export class Inference {
  private readonly router: Router;
  private readonly health: ProviderHealth;
  private readonly latency: LatencyTracker;
  private readonly options: InferenceOptions;
  private readonly providerLimits: ProviderLimits | undefined;
  private readonly accounting: Accounting | undefined;
  private readonly cache: ResponseCache | undefined;
  private readonly cacheHits: CacheHitRecorder | undefined;
  private readonly semantic: SemanticStep | undefined;
  private readonly admission: Admission | undefined;
  private readonly window: ContextWindow | undefined;

  constructor(deps: InferenceDeps) {
    this.router = deps.router;
    this.health = deps.health;
    this.latency = deps.latency;
    this.options = deps.options;
    this.providerLimits = deps.providerLimits;
    this.accounting = deps.accounting;
    this.cache = deps.cache;
    this.cacheHits = deps.cacheHits;
    this.semantic = deps.semantic && new SemanticStep(deps.semantic, (r, c) => this.embed(r, c));
    this.admission = deps.admission;
    this.window = deps.window;
  }

  /**
   * The cache sits before accounting: a hit, or a caller sharing an identical
   * request in flight, never reaches the charged path, so it is not charged
   * (its usage says cache_hit, cost 0, and is recorded as such). Only the
   * leading call is. With chargeCacheHits every caller is charged instead.
   */
  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    validateChatRequest(req, this.options.limits);
    await this.window?.fit(req);
    const exit = await this.admission?.enter(call.signal);
    try {
      return await this.generateAdmitted(req, call);
    } finally {
      exit?.();
    }
  }

  private async generateAdmitted(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    const cachePlan = this.planCache(req, call);
    if (!cachePlan) return this.charged({ kind: "chat", req }, call, (charge) => this.generateUpstream(req, call, charge));
    const cached = (signal: AbortSignal, upstream: (c: CallContext) => Promise<GenerateResponse>) =>
      this.cache!.generate(cachePlan, signal, (s) => {
        const inner = { ...call, signal: s };
        return this.semantic ? this.semantic.unary(req, inner, cachePlan, () => upstream(inner)) : upstream(inner);
      });
    if (this.options.chargeCacheHits) {
      // The caller's own reservation around the cache; the answer's usage is committed, hit or not.
      return this.charged({ kind: "chat", req }, call, async (charge) => {
        const res = await cached(call.signal, (c) => this.generateUpstream(req, c, undefined));
        if (res.usage?.cacheHit) noteCacheHit(call, res.usage);
        if (charge) res.usage = await charge.commit(res.usage && { ...res.usage }, res.model || req.model, res.message);
        return res;
      });
    }
    const res = await cached(call.signal, (c) => this.charged({ kind: "chat", req }, c, (charge) => this.generateUpstream(req, c, charge)));
    if (res.usage?.cacheHit) {
      noteCacheHit(call, res.usage);
      await this.cacheHits?.record(req, call, res.usage);
    }
    return res;
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    validateEmbedRequest(req, this.options.limits);
    const exit = await this.admission?.enter(call.signal);
    try {
      return await this.embedAdmitted(req, call);
    } finally {
      exit?.();
    }
  }

  private embedAdmitted(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    return this.charged({ kind: "embed", req }, call, async (charge) => {
      const [res, served] = await this.unaryAttempts(req, call, (provider, model) => provider.embed({ ...req, model }, call), () => undefined);
      if (charge) res.usage = await charge.commit(res.usage, served);
      return res;
    });
  }

  /**
   * Streams events from the first provider that starts answering. Fallback
   * and retries happen only before the first event reaches the caller; after
   * that an error ends the stream with that error.
   */
  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    validateChatRequest(req, this.options.limits);
    await this.window?.fit(req);
    const exit = await this.admission?.enter(call.signal);
    try {
      yield* this.streamAdmitted(req, call);
    } finally {
      exit?.();
    }
  }

  private async *streamAdmitted(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    const cachePlan = this.planCache(req, call);
    if (!cachePlan) {
      yield* this.streamCharged(req, call, (charge) => this.streamAttempts(req, call, charge));
      return;
    }
    // Hit: the stored events replayed. Miss: lead or join one shared upstream stream; it runs on
    // the flight's own signal, so one caller's cancel does not end it for the others (cache/flight.ts).
    const cached = (upstream: (c: CallContext) => AsyncIterable<GenerateStreamResponse>) =>
      this.cache!.generateStream(
        cachePlan,
        call.signal,
        (signal) => {
          const inner = { ...call, signal };
          return this.semantic ? this.semantic.stream(req, inner, cachePlan, () => upstream(inner)) : upstream(inner);
        },
        () => call.stats && (call.stats.cacheHit = true),
      );
    if (this.options.chargeCacheHits) {
      // One reservation per caller around the cache, committed at the end event.
      yield* this.streamCharged(req, call, (charge) => this.chargedEvents(cached((c) => this.streamAttempts(req, c, undefined)), req.model, charge));
      return;
    }
    for await (const ev of cached((c) => this.streamCharged(req, c, (charge) => this.streamAttempts(req, c, charge)))) {
      // A hit's end event is the caller's own copy (cache/entry.ts): its usage may be filled in.
      if (ev.event.case === "end" && ev.event.value.usage?.cacheHit) await this.cacheHits?.record(req, call, ev.event.value.usage);
      yield ev;
    }
  }

  /** The cache's stats (GetCacheStats); undefined when the cache is off. */
  cacheStats() {
    return this.cache?.stats();
  }

  private planCache(req: ChatRequest, call: CallContext): CachePlan | undefined {
    return this.cache?.plan(req, { key: call.key, models: () => this.router.reach(req.model, req.routing) });
  }

  /** Reserves once for the request (whatever fallback follows), runs it, releases what it did not commit. */
  private async charged<T>(what: Chargeable, call: CallContext, run: (charge: Charge | undefined) => Promise<T>): Promise<T> {
    const charge = await this.accounting?.begin(what, call);
    try {
      return await run(charge);
    } finally {
      await charge?.release();
    }
  }

  /** charged() for streams: the release also runs when the caller stops reading (the generator's return()). */
  private async *streamCharged(req: ChatRequest, call: CallContext, run: (charge: Charge | undefined) => AsyncIterable<GenerateStreamResponse>): AsyncGenerator<GenerateStreamResponse> {
    const charge = await this.accounting?.begin({ kind: "chat", req }, call);
    try {
      yield* run(charge);
    } finally {
      await charge?.release();
    }
  }

  /** A cached or shared stream's events with a new end event carrying this caller's committed usage. */
  private async *chargedEvents(events: AsyncIterable<GenerateStreamResponse>, model: string, charge: Charge | undefined): AsyncGenerator<GenerateStreamResponse> {
    let served = model;
    for await (const ev of events) {
      const e = ev.event;
      if (e.case === "start") served = e.value.model || served;
      if (e.case !== "end" || !charge) {
        charge?.observe(e);
        yield ev;
        continue;
      }
      // A new end event: the one from the flight may be the cache's stored copy.
      const usage = await charge.commit(e.value.usage && { ...e.value.usage }, served);
      yield { ...ev, event: { case: "end", value: { ...e.value, usage } } };
    }
  }

  /** The upstream answer, with its usage committed when the request is charged. */
  private async generateUpstream(req: ChatRequest, call: CallContext, charge: Charge | undefined): Promise<GenerateResponse> {
    const [res, served] = await this.unaryAttempts(req, call, (provider, model) => provider.generate({ ...req, model }, call), (r) => r.model);
    if (charge) res.usage = await charge.commit(res.usage, served, res.message);
    return res;
  }

  /** A unary call through the attempt loop: the answer (its usage completed) and the model that served it. */
  private async unaryAttempts<T extends { usage?: Usage | undefined }>(
    req: Routed,
    call: CallContext,
    once: (provider: Provider, model: string) => Promise<T>,
    servedModel: (res: T) => string | undefined,
  ): Promise<[T, string]> {
    let answer: [T, string] | undefined;
    const attempts = this.attempts(req, call, async function* (this: Inference, a: Attempt) {
      let res: T;
      try {
        res = await once(a.provider, a.model);
      } finally {
        addUpstream(call, a.startedAt);
      }
      res.usage = finishUsage(res.usage, a.provider);
      a.tokens = totalTokens(res.usage);
      this.latency.record(a.provider.name, performance.now() - a.startedAt);
      yield [res, servedModel(res) || a.model] as [T, string];
    });
    // Read to the end (not return early), so the loop records the provider's success.
    for await (const out of attempts) answer = out;
    return answer!;
  }

  private async *streamAttempts(req: ChatRequest, call: CallContext, charge: Charge | undefined): AsyncGenerator<GenerateStreamResponse> {
    yield* this.attempts(req, call, async function* (this: Inference, a: Attempt) {
      const assembler = new StreamAssembler();
      let served: string | undefined;
      for await (const response of a.provider.generateStream({ ...req, model: a.model }, call)) {
        const ev = response.event;
        if (ev.case === "start") {
          ev.value.provider = a.provider.name;
          served = ev.value.model || undefined;
          this.latency.record(a.provider.name, performance.now() - a.startedAt);
        } else if (ev.case === "end") {
          ev.value.usage = finishUsage(ev.value.usage, a.provider);
          ev.value.message = assembler.message();
          if (charge) ev.value.usage = await charge.commit(ev.value.usage, served ?? a.model);
          a.tokens = totalTokens(ev.value.usage);
        } else {
          assembler.add(ev);
          charge?.observe(ev);
        }
        // Time up to each event is upstream time; time the caller spends consuming is not ours either.
        addUpstream(call, a.startedAt);
        yield response;
        resumeClock(call);
      }
    });
  }

  /**
   * The one attempt loop, for unary calls and streams alike: each target in plan order (after its
   * backoff), admitted by the provider's limits, then `run`. A failure falls back to the next target
   * when fallback is on, the error is retryable, the caller is still there, and the attempt has not
   * yet given the caller anything (a stream that started cannot switch providers).
   */
  private async *attempts<T>(req: Routed, call: CallContext, run: (this: Inference, a: Attempt) => AsyncIterable<T>): AsyncGenerator<T> {
    let lastError: ConnectError | undefined;
    const targets = this.router.targets(req.model, req.routing);
    const policy = { ...this.options, maxAttempts: this.options.fallback ? this.options.maxAttempts : 1 };
    for (const { target, delayMs } of plan(targets, policy, () => lastError)) {
      await sleep(delayMs, call.signal);
      const a: Attempt = { provider: target.provider, model: target.model, startedAt: performance.now(), tokens: 0 };
      noteAttempt(call, a.provider);
      let admission;
      let emitted = false;
      try {
        admission = await this.providerLimits?.admit(a.provider.name);
      } catch (err) {
        // A refused admission says nothing about the provider's health.
        lastError = ConnectError.from(err);
        if (call.signal.aborted || !this.options.fallback || !isRetryable(lastError)) throw lastError;
        continue;
      }
      try {
        for await (const out of run.call(this, a)) {
          emitted = true;
          yield out;
        }
        this.health.success(a.provider.name);
        return;
      } catch (err) {
        const error = ConnectError.from(err);
        // The caller's own cancel or deadline says nothing about the provider.
        if (!call.signal.aborted) this.health.failure(a.provider.name, error, a.model);
        if (emitted || call.signal.aborted || !this.options.fallback || !isRetryable(error)) throw error;
        lastError = error;
      } finally {
        admission?.done(a.tokens);
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
  call.stats.ignored = undefined;
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
