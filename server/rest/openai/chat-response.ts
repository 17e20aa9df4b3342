// hoosh.v1 GenerateResponse to OpenAI's chat.completion JSON.
import { randomBytes } from "node:crypto";
import type { Message } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { toFinishReason, toLogprobs, toUsage } from "../../providers/openai/enums.js";
import type * as wire from "../../providers/openai/wire.js";

/** "chatcmpl-" and 24 random characters, for answers whose upstream gave no id. */
export function completionId(): string {
  return `chatcmpl-${randomBytes(18).toString("base64url")}`;
}

export const unixSeconds = (): number => Math.floor(Date.now() / 1000);

/** The message's text parts joined; null when it has none. */
export function messageText(message: Message | undefined): string | null {
  const parts = (message?.content ?? []).flatMap((p) => (p.part.case === "text" ? [p.part.value] : []));
  return parts.length > 0 ? parts.join("") : null;
}

/** The message's reasoning text, as DeepSeek-style servers return it (reasoning_content). */
export function reasoningText(message: Message | undefined): string {
  return (message?.content ?? []).flatMap((p) => (p.part.case === "reasoning" ? [p.part.value.text] : [])).join("");
}

export function completionJson(res: GenerateResponse, requestedModel: string, wantLogprobs: boolean): wire.ChatCompletion {
  const calls = res.message?.toolCalls ?? [];
  const message: wire.AssistantMessage = { role: "assistant", content: messageText(res.message), refusal: null };
  const reasoning = reasoningText(res.message);
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  return {
    id: res.id || completionId(),
    object: "chat.completion",
    created: unixSeconds(),
    model: res.model || requestedModel,
    choices: [{ index: 0, message, logprobs: wantLogprobs ? { content: toLogprobs(res.logprobs), refusal: null } : null, finish_reason: toFinishReason(res.finishReason, calls.length > 0) }],
    usage: toUsage(res.usage),
  };
}
