// What the response cache stores and how a stored answer is handed out.
//
// A cached answer keeps its tokens (they say what the answer contains: input,
// output, reasoning...) and its provider/model/id, and is marked
// cache_hit = true, cost_usd_micros = 0 and budget_pool = "": nobody paid for
// it this time, and the pipeline does not charge any budget for it.
//
// Entries are frozen copies taken at store time (the live objects went on to
// the client and may be touched by edges). A hit gets a fresh top-level object
// and a fresh Usage, so an edge may set usage fields (budget_pool, ...); the
// message and other events are shared and must be treated as read-only.
import { clone, toBinary } from "@bufbuild/protobuf";

import { type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import {
  GenerateResponseSchema,
  GenerateStreamResponseSchema,
  type GenerateResponse,
  type GenerateStreamResponse,
  type StreamEnd,
} from "../../../gen/ts/hoosh/v1/inference_pb.js";

export interface UnaryEntry {
  /** Already marked as a hit. */
  response: GenerateResponse;
  bytes: number;
}

export interface StreamEntry {
  /** start, deltas, end; the end's usage already marked as a hit. */
  events: GenerateStreamResponse[];
  bytes: number;
}

/** A copy of usage as a cache hit: same tokens, cost 0, cache_hit, no budget pool charged. */
export function hitUsage(usage: Usage | undefined): Usage | undefined {
  return usage === undefined ? undefined : { ...usage, cacheHit: true, costUsdMicros: 0n, budgetPool: "" };
}

/** A response as handed to one more caller: fresh top level and usage, marked as a hit. */
export function hitResponse(res: GenerateResponse): GenerateResponse {
  return { ...res, usage: hitUsage(res.usage) };
}

/** An event as handed to one more caller: the end event is copied and marked; others are shared. */
export function hitEvent(ev: GenerateStreamResponse): GenerateStreamResponse {
  if (ev.event.case !== "end") return ev;
  const end: StreamEnd = { ...ev.event.value, usage: hitUsage(ev.event.value.usage) };
  return { ...ev, event: { case: "end", value: end } };
}

export function unaryEntry(res: GenerateResponse): UnaryEntry {
  const copy = clone(GenerateResponseSchema, res);
  copy.usage = hitUsage(copy.usage);
  return { response: copy, bytes: toBinary(GenerateResponseSchema, copy).byteLength };
}

/** Undefined unless the events are a whole stream (ending with an end event). */
export function streamEntry(events: readonly GenerateStreamResponse[]): StreamEntry | undefined {
  if (events.length === 0 || events[events.length - 1]?.event.case !== "end") return undefined;
  let bytes = 0;
  const copies = events.map((ev) => {
    const copy = clone(GenerateStreamResponseSchema, ev);
    if (copy.event.case === "end") copy.event.value.usage = hitUsage(copy.event.value.usage);
    bytes += toBinary(GenerateStreamResponseSchema, copy).byteLength;
    return copy;
  });
  return { events: copies, bytes };
}

/** The stored events as a stream, with a fresh, hit-marked end event. */
export async function* replayStream(entry: StreamEntry): AsyncGenerator<GenerateStreamResponse> {
  for (const ev of entry.events) yield ev.event.case === "end" ? hitEvent(ev) : ev;
}

/**
 * Collects a stream's events as they pass; finish() hands back an entry only
 * if the stream ended normally with an end event. Partial, failed or cancelled
 * streams are never stored: the caller calls finish() only after the source
 * completed without error, and a stream without an end event is refused anyway.
 */
export class StreamRecorder {
  private readonly events: GenerateStreamResponse[] = [];
  private failed = false;

  add(ev: GenerateStreamResponse): void {
    this.events.push(ev);
  }

  /** Marks the stream as broken (error or cancel); finish() then returns undefined. */
  fail(): void {
    this.failed = true;
  }

  finish(): StreamEntry | undefined {
    return this.failed ? undefined : streamEntry(this.events);
  }
}
