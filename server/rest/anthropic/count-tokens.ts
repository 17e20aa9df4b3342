// POST /v1/messages/count_tokens: an APPROXIMATE count, since the core has no
// tokenizer yet. About 4 characters per token over all text (message text,
// system, tool-call arguments, tool names, descriptions and schemas), plus a
// fixed overhead per message and per tool, plus a flat estimate per image.
import type { ChatRequest } from "../../providers/provider.js";

export const CHARS_PER_TOKEN = 4;
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_TOOL = 10;
/** Anthropic sizes images at about (width × height) / 750 tokens, ~1,600 at most; we cannot see the size cheaply. */
export const TOKENS_PER_IMAGE = 1_600;

const tokens = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN);

export function approximateInputTokens(req: ChatRequest): number {
  let total = 0;
  for (const m of req.messages) {
    let chars = 0;
    for (const part of m.content) {
      if (part.part.case === "text") chars += part.part.value.length;
      else if (part.part.case === "image") total += TOKENS_PER_IMAGE;
    }
    for (const call of m.toolCalls) chars += call.name.length + call.arguments.length;
    total += TOKENS_PER_MESSAGE + tokens(chars);
  }
  for (const tool of req.tools) {
    const chars = tool.name.length + tool.description.length + JSON.stringify(tool.parameters ?? {}).length;
    total += TOKENS_PER_TOOL + tokens(chars);
  }
  return total;
}
