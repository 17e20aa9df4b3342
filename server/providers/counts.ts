// Numbers from upstreams go into uint32 proto fields (token counts, tool-call
// indexes). An upstream that sends a negative, fractional, huge or non-numeric
// value must not make hoosh fail to encode an answer it already started.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { UsageSchema, type Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";

const UINT32_MAX = 0xffff_ffff;

/** A safe uint32: non-numbers, NaN and negatives become 0, fractions are floored, the rest capped. */
export function count(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), UINT32_MAX);
}

type UsageCounts = Pick<MessageInitShape<typeof UsageSchema>, "inputTokens" | "cachedInputTokens" | "outputTokens" | "reasoningTokens" | "audioTokens" | "cacheWriteInputTokens">;

/** A Usage from an upstream's counts, each made safe with count(). */
export function upstreamUsage(counts: { [K in keyof UsageCounts]?: unknown }): Usage {
  return create(UsageSchema, {
    inputTokens: count(counts.inputTokens),
    cachedInputTokens: count(counts.cachedInputTokens),
    outputTokens: count(counts.outputTokens),
    reasoningTokens: count(counts.reasoningTokens),
    audioTokens: count(counts.audioTokens),
    cacheWriteInputTokens: count(counts.cacheWriteInputTokens),
  });
}
