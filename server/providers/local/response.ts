// The in-process engine's results → hoosh.v1: finish reason, usage, tool-call ids, the answer.
import { create } from "@bufbuild/protobuf";
import { FinishReason, MessageSchema, Role, UsageSchema, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateResponseSchema, type GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { ChatFinish, ChatResult, TokenUsage } from "../../engines/llm/types.js";

export const FINISH: Record<ChatFinish, FinishReason> = {
  stop: FinishReason.STOP,
  length: FinishReason.LENGTH,
  "tool-calls": FinishReason.TOOL_CALLS,
};

export function toUsage(u: TokenUsage): Usage {
  return create(UsageSchema, { inputTokens: u.inputTokens, cachedInputTokens: u.cachedInputTokens, outputTokens: u.outputTokens });
}

/** Tool call ids are made here (the engine has none): unique within the response. */
export function toolCallId(responseId: string, index: number): string {
  return `call_${responseId.slice(-12)}_${index}`;
}

export function fromChatResult(result: ChatResult, id: string, model: string): GenerateResponse {
  const message = create(MessageSchema, {
    role: Role.ASSISTANT,
    content: result.text ? [{ part: { case: "text", value: result.text } }] : [],
    toolCalls: result.toolCalls.map((c, i) => ({ id: toolCallId(id, i), name: c.name, arguments: c.arguments })),
  });
  return create(GenerateResponseSchema, { id, model, message, finishReason: FINISH[result.finish], usage: toUsage(result.usage) });
}
