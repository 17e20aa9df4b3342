// Anthropic Messages API answer -> hoosh.v1: finish reason, usage (cache reads
// and writes), text, thinking blocks and tool calls. Streams are stream.ts.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { MessageSchema, Role, type ContentPartSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateResponseSchema, type GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { fromStopReason, fromUsage } from "./enums.js";
import type * as wire from "./wire.js";

type ContentPartInit = MessageInitShape<typeof ContentPartSchema>;

export function fromMessagesResponse(res: wire.MessagesResponse, jsonTool?: string): GenerateResponse {
  let text = "";
  let json: string | undefined;
  const toolCalls: { id: string; name: string; arguments: string }[] = [];
  // Thinking blocks, signature included, so the caller can hand them back with a tool result.
  const reasoning: ContentPartInit[] = [];
  for (const block of res.content ?? []) {
    if (block.type === "text") text += (block as wire.TextBlock).text;
    if (block.type === "thinking") {
      const t = block as wire.ThinkingBlock;
      reasoning.push({ part: { case: "reasoning", value: { text: t.thinking ?? "", signature: t.signature ?? "" } } });
    }
    if (block.type === "redacted_thinking") reasoning.push({ part: { case: "reasoning", value: { redacted: (block as wire.RedactedThinkingBlock).data ?? "" } } });
    if (block.type !== "tool_use") continue;
    const use = block as wire.ToolUseBlock;
    if (jsonTool !== undefined && use.name === jsonTool) {
      json = (json ?? "") + JSON.stringify(use.input ?? {});
    } else {
      toolCalls.push({ id: use.id, name: use.name, arguments: JSON.stringify(use.input ?? {}) });
    }
  }
  // A JSON answer is the whole text: any prose around it would make it invalid JSON.
  if (json !== undefined) text = json;
  return create(GenerateResponseSchema, {
    id: res.id ?? "",
    model: res.model ?? "",
    message: create(MessageSchema, { role: Role.ASSISTANT, content: [...reasoning, ...(text ? [{ part: { case: "text" as const, value: text } }] : [])], toolCalls }),
    finishReason: fromStopReason(res.stop_reason, toolCalls.length, json !== undefined),
    usage: fromUsage(res.usage),
  });
}
