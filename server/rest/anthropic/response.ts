// hoosh.v1 results to Anthropic's response JSON: ids and content blocks (stop
// reasons and usage: providers/anthropic/enums.ts). Shared by the complete and the streamed answer.
import { randomBytes } from "node:crypto";
import type { Message } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { toStopReason, toUsage } from "../../providers/anthropic/enums.js";
import type { MessagesResponse, ResponseBlock } from "../../providers/anthropic/wire.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Anthropic-style id, e.g. "msg_01AbC…", "toolu_01…", "req_01…". */
export function anthropicId(prefix: "msg" | "toolu" | "req"): string {
  let out = `${prefix}_01`;
  for (const b of randomBytes(22)) out += ALPHABET[b % ALPHABET.length];
  return out;
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

/** A reasoning part as Anthropic's block: redacted_thinking, or thinking with its signature (empty when the provider gave none). */
export function thinkingBlock(r: { text: string; signature: string; redacted: string }): ResponseBlock {
  return r.redacted ? { type: "redacted_thinking", data: r.redacted } : { type: "thinking", thinking: r.text, signature: r.signature };
}

export function contentBlocks(message: Message | undefined): ResponseBlock[] {
  const blocks: ResponseBlock[] = [];
  // Thinking first, as Anthropic answers it (and wants it back with tool results).
  for (const p of message?.content ?? []) if (p.part.case === "reasoning") blocks.push(thinkingBlock(p.part.value));
  const text = (message?.content ?? []).map((p) => (p.part.case === "text" ? p.part.value : "")).join("");
  if (text !== "") blocks.push({ type: "text", text });
  for (const call of message?.toolCalls ?? []) {
    blocks.push({ type: "tool_use", id: call.id || anthropicId("toolu"), name: call.name, input: toolInput(call.arguments) });
  }
  return blocks;
}

export function messageResponse(res: GenerateResponse, requestedModel: string): MessagesResponse {
  return {
    id: anthropicId("msg"),
    type: "message",
    role: "assistant",
    model: res.model || requestedModel,
    content: contentBlocks(res.message),
    stop_reason: toStopReason(res.finishReason, (res.message?.toolCalls.length ?? 0) > 0),
    stop_sequence: null,
    usage: toUsage(res.usage),
  };
}
