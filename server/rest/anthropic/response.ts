// hoosh.v1 results to Anthropic's response JSON: ids, stop reasons, usage,
// content blocks. Shared by the complete and the streamed answer.
import { randomBytes } from "node:crypto";
import { FinishReason, type Message, type Usage as CoreUsage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { MessageResponse, ResponseBlock, StopReason, Usage } from "./wire.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Anthropic-style id, e.g. "msg_01AbC…", "toolu_01…", "req_01…". */
export function anthropicId(prefix: "msg" | "toolu" | "req"): string {
  let out = `${prefix}_01`;
  for (const b of randomBytes(22)) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/**
 * Why generation stopped. Upstreams do not say which stop sequence matched,
 * so a stop is reported as end_turn (stop_sequence stays null).
 */
export function stopReason(reason: FinishReason, hasToolCalls: boolean): StopReason {
  if (reason === FinishReason.TOOL_CALLS || (hasToolCalls && reason !== FinishReason.LENGTH)) return "tool_use";
  if (reason === FinishReason.LENGTH) return "max_tokens";
  if (reason === FinishReason.CONTENT_FILTER) return "refusal";
  return "end_turn";
}

/** Anthropic counts cache reads apart from input_tokens; hoosh's input_tokens includes them. */
export function usage(u: CoreUsage | undefined): Usage {
  const input = u?.inputTokens ?? 0;
  const cached = Math.min(u?.cachedInputTokens ?? 0, input);
  return { input_tokens: input - cached, output_tokens: u?.outputTokens ?? 0, cache_creation_input_tokens: 0, cache_read_input_tokens: cached };
}

/** Tool arguments as Anthropic's `input` object; text that is not a JSON object is kept under `_unparsed_arguments`. */
export function toolInput(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { _unparsed_arguments: args };
}

export function contentBlocks(message: Message | undefined): ResponseBlock[] {
  const blocks: ResponseBlock[] = [];
  const text = (message?.content ?? []).map((p) => (p.part.case === "text" ? p.part.value : "")).join("");
  if (text !== "") blocks.push({ type: "text", text });
  for (const call of message?.toolCalls ?? []) {
    blocks.push({ type: "tool_use", id: call.id || anthropicId("toolu"), name: call.name, input: toolInput(call.arguments) });
  }
  return blocks;
}

export function messageResponse(res: GenerateResponse, requestedModel: string): MessageResponse {
  return {
    id: anthropicId("msg"),
    type: "message",
    role: "assistant",
    model: res.model || requestedModel,
    content: contentBlocks(res.message),
    stop_reason: stopReason(res.finishReason, (res.message?.toolCalls.length ?? 0) > 0),
    stop_sequence: null,
    usage: usage(res.usage),
  };
}
