/**
 * What a request will cost before it runs: prompt tokens counted from the
 * messages (exact for OpenAI-family models, approximate otherwise; see
 * tokenizer.ts), plus the output limit (sampling.max_tokens, or
 * DEFAULT_MAX_OUTPUT_TOKENS when unset), priced with the model's prices.
 *
 * Message framing follows OpenAI's chat format: 3 tokens per message, 1 more
 * for a name, 3 that prime the reply. The approximation uses the same framing.
 * Images count IMAGE_TOKENS each (OpenAI's low-detail price); audio parts are
 * not estimated (their tokens are charged at commit, from the provider's usage).
 */
import type { EmbedRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { ChatRequest } from "../../providers/provider.js";
import { costMicros, type ScaledPrice } from "./cost.js";

export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;
export const PER_MESSAGE_TOKENS = 3;
export const REPLY_PRIMING_TOKENS = 3;
export const IMAGE_TOKENS = 85;

export interface Estimate {
  promptTokens: number;
  outputTokens: number;
  /** promptTokens + outputTokens, what the pool holds. */
  tokens: number;
  usdMicros: number;
}

type Count = (text: string) => number;

export function chatPromptTokens(req: Pick<ChatRequest, "messages" | "tools">, count: Count): number {
  let n = REPLY_PRIMING_TOKENS;
  for (const m of req.messages) {
    n += PER_MESSAGE_TOKENS;
    if (m.name) n += 1 + count(m.name);
    for (const part of m.content) {
      if (part.part.case === "text") n += count(part.part.value);
      else if (part.part.case === "image") n += IMAGE_TOKENS;
    }
    for (const call of m.toolCalls) n += count(call.name) + count(call.arguments);
    if (m.toolCallId) n += count(m.toolCallId);
  }
  for (const tool of req.tools) {
    n += count(tool.name) + count(tool.description);
    if (tool.parameters) n += count(JSON.stringify(tool.parameters));
  }
  return n;
}

export function embedPromptTokens(req: Pick<EmbedRequest, "inputs">, count: Count): number {
  let n = 0;
  for (const text of req.inputs) n += count(text);
  return n;
}

export function estimateOf(promptTokens: number, outputTokens: number, price: ScaledPrice): Estimate {
  return {
    promptTokens,
    outputTokens,
    tokens: promptTokens + outputTokens,
    usdMicros: costMicros({ inputTokens: promptTokens, cachedInputTokens: 0, outputTokens }, price),
  };
}

/** The output the pool holds for a chat request: its max_tokens, else the default. */
export function outputLimit(req: Pick<ChatRequest, "sampling">): number {
  return req.sampling?.maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
}
