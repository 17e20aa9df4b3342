// The response cache as the inference pipeline uses it.
//
//   const plan = cache.plan(req);                 // undefined: cache not involved
//   unary:  cache.generate(plan, call.signal, (signal) => upstream(signal))
//   stream: cache.generateStream(plan, call.signal, (signal) => upstreamStream(signal))
//
// Each does: lookup (plan.lookup) -> hit: the stored answer, marked cache_hit
// with cost 0 -> else join an identical request in flight (plan.lookup), as a
// follower whose answer is marked the same way -> else lead: call upstream on
// the flight's own signal and store the answer if it completes (plan.store).
// Only a leader calls `upstream`, so only a leader is charged to the budget.
// The lower-level pieces (lookupUnary, storeUnary, lookupStream, recordStream,
// replayStream) are public for callers with other needs.
//
// Two tiers when a shared tier is given (shared-tier.ts; Redis when [store]
// kind = "redis"): the local LRU first, synchronously; on a miss the flight's
// leader asks the shared tier (so identical requests in flight share that one
// lookup too) and a shared hit is copied into the LRU with the lifetime it has
// left. Stored answers go to both; one larger than sharedMaxEntryBytes stays
// local. Without a shared tier nothing changes.
//
// Stats: hits and misses count lookups (hits include shared hits, misses are
// what neither tier had); coalesced counts callers that joined a flight after a
// miss (upstream calls = misses - coalesced). Unary and stream answers are
// stored under separate keys ("u"/"s" + key).
import type { GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { CallContext, ChatRequest } from "../../providers/provider.js";
import {
  hitEvent,
  hitResponse,
  replayStream,
  StreamRecorder,
  unaryEntry,
  type StreamEntry,
  type UnaryEntry,
} from "./entry.js";
import { StreamFlight, UnaryFlight } from "./flight.js";
import { LruCache } from "./lru.js";
import { DEFAULT_CACHE_POLICY, isCacheable, planCache, type CachePlan, type CachePolicyOptions } from "./policy.js";
import { cachePartition, DEFAULT_CACHE_SCOPE, type CacheScope } from "./scope.js";
import { SharedCopies } from "./shared-copies.js";
import type { SharedTier } from "./shared-tier.js";

export interface ResponseCacheOptions extends CachePolicyOptions {
  /** Who shares answers (cache/scope.ts); default "team". */
  scope?: CacheScope;
  /** Byte cap over the serialized size of stored answers. */
  maxBytes: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
  /** A tier shared with other replicas; none: this process's LRU only. */
  shared?: SharedTier;
  /** Larger answers (serialized size) are not shared. Default 1 MiB. */
  sharedMaxEntryBytes?: number;
}

export const DEFAULT_RESPONSE_CACHE: ResponseCacheOptions = { ...DEFAULT_CACHE_POLICY, maxBytes: 64 * 1024 * 1024 };
export { DEFAULT_SHARED_MAX_ENTRY_BYTES } from "./shared-copies.js";

/** Field for field what GetCacheStatsResponse reports. */
export interface CacheStats {
  hits: number;
  misses: number;
  coalesced: number;
  entries: number;
  bytes: number;
  maxBytes: number;
  evictions: number;
  /** Hits answered by the shared tier (included in hits). */
  sharedHits: number;
  /** Shared lookups and stores that failed, timed out or could not be decoded (served as misses). */
  sharedErrors: number;
}

type Entry = UnaryEntry | StreamEntry;

export class ResponseCache {
  private readonly lru: LruCache<Entry>;
  private readonly unaryFlights = new Map<string, UnaryFlight<GenerateResponse>>();
  private readonly streamFlights = new Map<string, StreamFlight>();
  private coalesced = 0;
  private readonly shared: SharedCopies | undefined;

  constructor(private readonly options: ResponseCacheOptions = DEFAULT_RESPONSE_CACHE) {
    this.lru = new LruCache<Entry>(options.maxBytes, options.now);
    this.shared = options.shared && new SharedCopies(options.shared, options.sharedMaxEntryBytes);
  }

  /**
   * What the cache may do for this request; undefined when it is not involved.
   * `who`: the caller's key (its partition under [cache] scope) and every model
   * the request reaches (Router.reach); without it, the model alone, shared by all.
   */
  /** `who.models` (the models the request reaches) is asked for only when the request may use the cache. */
  plan(req: ChatRequest, who?: { key: CallContext["key"]; models: () => readonly string[] }): CachePlan | undefined {
    if (!isCacheable(req, this.options.mode)) return undefined;
    const context = who && { partition: cachePartition(this.options.scope ?? DEFAULT_CACHE_SCOPE, who.key), models: who.models() };
    return planCache(req, this.options, context);
  }

  /** A stored unary answer, marked as a hit (fresh top level and usage per call). */
  lookupUnary(key: string): GenerateResponse | undefined {
    const e = this.lru.get("u" + key) as UnaryEntry | undefined;
    return e === undefined ? undefined : hitResponse(e.response);
  }

  /** Stores a copy of a complete answer; false if it is bigger than the whole cache. */
  storeUnary(key: string, response: GenerateResponse, ttlMs: number): boolean {
    const e = unaryEntry(response);
    this.shared?.put(key, e, ttlMs);
    return this.lru.set("u" + key, e, e.bytes, ttlMs);
  }

  lookupStream(key: string): StreamEntry | undefined {
    return this.lru.get("s" + key) as StreamEntry | undefined;
  }

  /** A recorder whose end() stores the stream, only if it ended with an end event and nothing failed. */
  recordStream(key: string, ttlMs: number): { add(ev: GenerateStreamResponse): void; fail(): void; end(): boolean } {
    const rec = new StreamRecorder();
    return {
      add: (ev) => rec.add(ev),
      fail: () => rec.fail(),
      end: () => {
        const e = rec.finish();
        if (e === undefined) return false;
        this.shared?.put(key, e, ttlMs);
        return this.lru.set("s" + key, e, e.bytes, ttlMs);
      },
    };
  }

  replayStream(entry: StreamEntry): AsyncGenerator<GenerateStreamResponse> {
    return replayStream(entry);
  }

  /** Lookup, then join or lead a flight. `upstream` runs only for a leader, on the flight's signal. */
  async generate(plan: CachePlan, signal: AbortSignal, upstream: (signal: AbortSignal) => Promise<GenerateResponse>): Promise<GenerateResponse> {
    if (!plan.lookup) return this.leadUnary(plan, upstream, signal);
    const hit = this.lookupUnary(plan.key);
    if (hit) return hit;
    const flight = this.unaryFlights.get(plan.key);
    if (flight) {
      this.coalesced++;
      return hitResponse(await flight.join(signal));
    }
    const lead = new UnaryFlight<GenerateResponse>(
      (s) => (this.shared ? this.fillUnary(plan, upstream, s) : this.leadUnary(plan, upstream, s)),
      () => { if (this.unaryFlights.get(plan.key) === lead) this.unaryFlights.delete(plan.key); },
    );
    this.unaryFlights.set(plan.key, lead);
    return lead.join(signal);
  }

  /** Lookup, then join or lead a stream flight. */
  async *generateStream(
    plan: CachePlan,
    signal: AbortSignal,
    upstream: (signal: AbortSignal) => AsyncIterable<GenerateStreamResponse>,
    /** Called before the first event when the answer comes from the cache or a shared flight. */
    onShared: () => void = () => {},
  ): AsyncGenerator<GenerateStreamResponse> {
    if (!plan.lookup) {
      // Not shared: the caller's own call, recorded for the cache.
      yield* this.recorded(plan, upstream(signal));
      return;
    }
    const hit = this.lookupStream(plan.key);
    if (hit) {
      onShared();
      yield* replayStream(hit);
      return;
    }
    const joined = this.streamFlights.get(plan.key);
    if (joined?.open) {
      this.coalesced++;
      onShared();
      yield* joined.subscribe(signal, hitEvent);
      return;
    }
    const from = { shared: false };
    const flight: StreamFlight = new StreamFlight(
      this.shared ? (s) => this.fillStream(plan.key, upstream, s, onShared, from) : upstream,
      (events) => {
        // A shared hit is already in both tiers; storing it again would extend its life.
        if (!plan.store || from.shared) return;
        const rec = this.recordStream(plan.key, plan.ttlMs);
        for (const ev of events) rec.add(ev);
        rec.end();
      },
      () => { if (this.streamFlights.get(plan.key) === flight) this.streamFlights.delete(plan.key); },
    );
    this.streamFlights.set(plan.key, flight);
    yield* flight.subscribe(signal);
  }

  stats(): CacheStats {
    const s = this.lru.stats();
    const sharedHits = this.shared?.hits ?? 0;
    return {
      hits: s.hits + sharedHits,
      misses: s.misses - sharedHits,
      coalesced: this.coalesced,
      entries: s.entries,
      bytes: s.bytes,
      maxBytes: s.maxBytes,
      evictions: s.evictions,
      sharedHits,
      sharedErrors: this.shared?.errors ?? 0,
    };
  }

  clear(): void {
    this.lru.clear();
  }

  /** After a local miss, as the flight: the shared tier, else upstream. A shared hit comes back marked. */
  private async fillUnary(plan: CachePlan, upstream: (signal: AbortSignal) => Promise<GenerateResponse>, signal: AbortSignal): Promise<GenerateResponse> {
    const found = await this.shared?.unary(plan.key);
    if (found === undefined) {
      signal.throwIfAborted(); // every caller left during the lookup
      return this.leadUnary(plan, upstream, signal);
    }
    this.lru.set("u" + plan.key, found.entry, found.entry.bytes, found.ttlMs); // expires with the shared copy
    return hitResponse(found.entry.response);
  }

  /** The stream counterpart; `from.shared` tells the flight not to store a shared hit again. */
  private async *fillStream(
    key: string,
    upstream: (signal: AbortSignal) => AsyncIterable<GenerateStreamResponse>,
    signal: AbortSignal,
    onShared: () => void,
    from: { shared: boolean },
  ): AsyncGenerator<GenerateStreamResponse> {
    const found = await this.shared?.stream(key);
    if (found === undefined) {
      signal.throwIfAborted();
      yield* upstream(signal);
      return;
    }
    this.lru.set("s" + key, found.entry, found.entry.bytes, found.ttlMs);
    from.shared = true;
    onShared(); // the leader's: it runs before the first event reaches anyone
    yield* replayStream(found.entry);
  }

  private async leadUnary(plan: CachePlan, upstream: (signal: AbortSignal) => Promise<GenerateResponse>, signal: AbortSignal): Promise<GenerateResponse> {
    const res = await upstream(signal);
    if (plan.store) this.storeUnary(plan.key, res, plan.ttlMs);
    return res;
  }

  /** Passes a stream through, storing it if it ends normally and the plan allows. */
  private async *recorded(plan: CachePlan, source: AsyncIterable<GenerateStreamResponse>): AsyncGenerator<GenerateStreamResponse> {
    if (!plan.store) {
      yield* source;
      return;
    }
    const rec = this.recordStream(plan.key, plan.ttlMs);
    let ok = false;
    try {
      for await (const ev of source) {
        rec.add(ev);
        yield ev;
      }
      ok = true;
    } finally {
      if (ok) rec.end();
      else rec.fail();
    }
  }
}
