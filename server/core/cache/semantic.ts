// The semantic cache: a request whose question is close in meaning to one answered before gets
// that answer, when everything else about the two requests is the same.
//
//   bucket    everything but the text of the last user message must match exactly: the exact
//             cache key of the request with that text left out (partition, model, routing,
//             system prompt, earlier turns, tools, sampling, response format). "Capital of
//             France?" asked of another model, after another system prompt, or by a caller in
//             another partition ([cache] scope, cache/scope.ts), is another question.
//   question  that text, embedded by [cache] semantic_model (inference.ts routes and charges
//             the embedding like any other).
//   match     the stored question in the bucket with the highest cosine similarity, if it is
//             at least `threshold` and has not expired.
//
// It sits behind the exact cache and has its rules (deterministic requests only by default,
// no_cache / no_store, TTL). Answers are stored whole (a stream's assembled message); a stream
// that hits gets its answer replayed as events (semantic-step.ts). Per process, at most
// `maxEntries` questions, the oldest dropped first; lookups scan one bucket (vectors are
// normalised when stored, so similarity is a dot product).
import type { GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { Role } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { ChatRequest } from "../../providers/provider.js";
import { hitResponse, unaryEntry } from "./entry.js";
import { cacheKey, type KeyContext } from "./key.js";

export interface SemanticCacheOptions {
  /** Lowest cosine similarity that counts as the same question (0..1). */
  threshold: number;
  maxEntries: number;
  now?: () => number;
}

export interface SemanticQuestion {
  bucket: string;
  text: string;
}

export interface SemanticStats {
  hits: number;
  misses: number;
  entries: number;
}

interface Entry {
  bucket: string;
  vector: Float32Array;
  /** Already marked as a hit (cache/entry.ts). */
  response: GenerateResponse;
  expiresAt: number;
}

/** The bucket and question of a request whose last message is one user text; else undefined. */
export function semanticQuestion(req: ChatRequest, context?: KeyContext): SemanticQuestion | undefined {
  const last = req.messages.at(-1);
  const part = last?.content.length === 1 ? last.content[0]!.part : undefined;
  if (last?.role !== Role.USER || part?.case !== "text" || part.value.trim() === "") return undefined;
  const blanked = { ...req, messages: [...req.messages.slice(0, -1), { ...last, content: [] }] };
  return { bucket: cacheKey(blanked, context), text: part.value };
}

export class SemanticCache {
  private readonly buckets = new Map<string, Entry[]>();
  /** Every entry, oldest first, for eviction. */
  private readonly fifo: Entry[] = [];
  private hits = 0;
  private misses = 0;
  private readonly now: () => number;

  constructor(private readonly options: SemanticCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The stored answer to the closest question in the bucket, marked as a hit; undefined when none is close enough. */
  lookup(bucket: string, vector: ArrayLike<number>): GenerateResponse | undefined {
    const entries = this.buckets.get(bucket) ?? [];
    const q = normalised(vector);
    const now = this.now();
    let best: Entry | undefined;
    let bestScore = -Infinity;
    for (const e of entries) {
      if (e.expiresAt <= now || e.vector.length !== q.length) continue;
      const score = dot(e.vector, q);
      if (score > bestScore) [best, bestScore] = [e, score];
    }
    if (best === undefined || bestScore < this.options.threshold) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return hitResponse(best.response);
  }

  store(bucket: string, vector: ArrayLike<number>, response: GenerateResponse, ttlMs: number): void {
    const now = this.now();
    const entry: Entry = { bucket, vector: normalised(vector), response: unaryEntry(response).response, expiresAt: now + ttlMs };
    // Expired questions in this bucket go now (the FIFO forgets them when their turn comes).
    const live = (this.buckets.get(bucket) ?? []).filter((e) => e.expiresAt > now);
    live.push(entry);
    this.buckets.set(bucket, live);
    this.fifo.push(entry);
    while (this.fifo.length > this.options.maxEntries) this.drop(this.fifo.shift()!);
  }

  stats(): SemanticStats {
    let entries = 0;
    for (const list of this.buckets.values()) entries += list.length;
    return { hits: this.hits, misses: this.misses, entries };
  }

  private drop(entry: Entry): void {
    const list = this.buckets.get(entry.bucket);
    if (!list) return;
    const rest = list.filter((e) => e !== entry);
    if (rest.length > 0) this.buckets.set(entry.bucket, rest);
    else this.buckets.delete(entry.bucket);
  }
}

function normalised(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector);
  let sum = 0;
  for (const v of out) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** Four running sums: about twice as fast as one in V8 (bench/micro/cache.ts), same result to float precision. */
function dot(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length - (a.length % 4);
  let i = 0;
  for (; i < n; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < a.length; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}
