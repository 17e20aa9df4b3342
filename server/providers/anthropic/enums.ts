// Anthropic names <-> hoosh.v1 enums and usage, both directions beside each other: the provider
// reads upstream answers with the from* functions; the Anthropic REST edge writes its answers with
// the to* ones.
import { FinishReason, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { upstreamUsage } from "../counts.js";
import type * as wire from "./wire.js";

// A Map, not an object: upstream strings such as "constructor" must not hit prototype keys.
const STOP_REASONS = new Map<string, FinishReason>([
  ["end_turn", FinishReason.STOP],
  ["stop_sequence", FinishReason.STOP],
  ["max_tokens", FinishReason.LENGTH],
  ["model_context_window_exceeded", FinishReason.LENGTH],
  ["tool_use", FinishReason.TOOL_CALLS],
  ["refusal", FinishReason.CONTENT_FILTER],
]);

/**
 * The finish reason; a tool_use stop caused only by the JSON-mode tool is a
 * plain STOP, since the caller gets that tool's input as text.
 */
export function fromStopReason(reason: string | null | undefined, realToolCalls: number, jsonAnswered: boolean): FinishReason {
  const finish = (reason && STOP_REASONS.get(reason)) || FinishReason.UNSPECIFIED;
  return finish === FinishReason.TOOL_CALLS && realToolCalls === 0 && jsonAnswered ? FinishReason.STOP : finish;
}

/**
 * Anthropic's input_tokens counts only what came after the last cache
 * breakpoint; hoosh's input_tokens is the whole prompt. So input = input +
 * cache reads + cache writes, cached_input = cache reads (cache writes are
 * processed, not served from the cache) and cache_write_input = cache writes
 * (priced at the model's cache-write rate).
 */
export function fromUsage(u: wire.Usage | null | undefined): Usage {
  const read = u?.cache_read_input_tokens ?? 0;
  const written = u?.cache_creation_input_tokens ?? 0;
  return upstreamUsage({
    inputTokens: (u?.input_tokens ?? 0) + read + written,
    cachedInputTokens: read,
    cacheWriteInputTokens: written,
    outputTokens: u?.output_tokens ?? 0,
  });
}

/**
 * Why generation stopped. Upstreams do not say which stop sequence matched,
 * so a stop is reported as end_turn (stop_sequence stays null).
 */
export function toStopReason(reason: FinishReason, hasToolCalls: boolean): wire.StopReason {
  if (reason === FinishReason.TOOL_CALLS || (hasToolCalls && reason !== FinishReason.LENGTH)) return "tool_use";
  if (reason === FinishReason.LENGTH) return "max_tokens";
  if (reason === FinishReason.CONTENT_FILTER) return "refusal";
  return "end_turn";
}

/** Anthropic counts cache reads and writes apart from input_tokens; hoosh's input_tokens includes both. */
export function toUsage(u: Usage | undefined): { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number } {
  const input = u?.inputTokens ?? 0;
  const cached = Math.min(u?.cachedInputTokens ?? 0, input);
  const written = Math.min(u?.cacheWriteInputTokens ?? 0, input - cached);
  return { input_tokens: input - cached - written, output_tokens: u?.outputTokens ?? 0, cache_creation_input_tokens: written, cache_read_input_tokens: cached };
}

