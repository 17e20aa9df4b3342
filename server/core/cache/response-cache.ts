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
// Stats: hits and misses count lookups; coalesced counts callers that joined a
// flight after a miss (upstream calls = misses - coalesced). Unary and stream
// answers are stored under separate keys ("u"/"s" + key).
import type { GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { ChatRequest } from "../../providers/provider.js";
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
import { DEFAULT_CACHE_POLICY, planCache, type CachePlan, type CachePolicyOptions } from "./policy.js";

export interface ResponseCacheOptions extends CachePolicyOptions {
  /** Byte cap over the serialized size of stored answers. */
  maxBytes: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

export const DEFAULT_RESPONSE_CACHE: ResponseCacheOptions = { ...DEFAULT_CACHE_POLICY, maxBytes: 64 * 1024 * 1024 };

/** Field for field what GetCacheStatsResponse reports. */
export interface CacheStats {
  hits: number;
  misses: number;
  coalesced: number;
  entries: number;
  bytes: number;
  maxBytes: number;
  evictions: number;
}

type Entry = UnaryEntry | StreamEntry;

export class ResponseCache {
  private readonly lru: LruCache<Entry>;
  private readonly unaryFlights = new Map<string, UnaryFlight<GenerateResponse>>();
  private readonly streamFlights = new Map<string, StreamFlight>();
  private coalesced = 0;

  constructor(private readonly options: ResponseCacheOptions = DEFAULT_RESPONSE_CACHE) {
    this.lru = new LruCache<Entry>(options.maxBytes, options.now);
  }

  /** What the cache may do for this request; undefined when it is not involved. */
  plan(req: ChatRequest): CachePlan | undefined {
    return planCache(req, this.options);
  }

  /** A stored unary answer, marked as a hit (fresh top level and usage per call). */
  lookupUnary(key: string): GenerateResponse | undefined {
    const e = this.lru.get("u" + key) as UnaryEntry | undefined;
    return e === undefined ? undefined : hitResponse(e.response);
  }

  /** Stores a copy of a complete answer; false if it is bigger than the whole cache. */
  storeUnary(key: string, response: GenerateResponse, ttlMs: number): boolean {
    const e = unaryEntry(response);
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
        return e !== undefined && this.lru.set("s" + key, e, e.bytes, ttlMs);
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
      (s) => this.leadUnary(plan, upstream, s),
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
    const flight: StreamFlight = new StreamFlight(
      upstream,
      (events) => {
        if (!plan.store) return;
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
    return { hits: s.hits, misses: s.misses, coalesced: this.coalesced, entries: s.entries, bytes: s.bytes, maxBytes: s.maxBytes, evictions: s.evictions };
  }

  clear(): void {
    this.lru.clear();
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
