// hoosh.v1 GenerateResponse / Usage / FinishReason to OpenAI's chat.completion JSON.
import { randomBytes } from "node:crypto";
import { FinishReason, type Message, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type * as wire from "./wire.js";

const FINISH: Record<FinishReason, wire.FinishReason | undefined> = {
  [FinishReason.UNSPECIFIED]: undefined,
  [FinishReason.STOP]: "stop",
  [FinishReason.LENGTH]: "length",
  [FinishReason.TOOL_CALLS]: "tool_calls",
  [FinishReason.CONTENT_FILTER]: "content_filter",
};

/** OpenAI always names a reason; an unspecified one is "tool_calls" when the model called tools, else "stop". */
export function finishReasonName(reason: FinishReason, calledTools: boolean): wire.FinishReason {
  return FINISH[reason] ?? (calledTools ? "tool_calls" : "stop");
}

export function usageJson(u: Usage | undefined): wire.CompletionUsage {
  const prompt = u?.inputTokens ?? 0;
  const completion = u?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u?.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u?.reasoningTokens ?? 0 },
  };
}

/** "chatcmpl-" and 24 random characters, for answers whose upstream gave no id. */
export function completionId(): string {
  return `chatcmpl-${randomBytes(18).toString("base64url")}`;
}

export const unixSeconds = (): number => Math.floor(Date.now() / 1000);

function text(message: Message | undefined): string | null {
  const parts = (message?.content ?? []).flatMap((p) => (p.part.case === "text" ? [p.part.value] : []));
  return parts.length > 0 ? parts.join("") : null;
}

export function completionJson(res: GenerateResponse, requestedModel: string): wire.ChatCompletion {
  const calls = res.message?.toolCalls ?? [];
  const message: wire.ChatCompletion["choices"][number]["message"] = { role: "assistant", content: text(res.message), refusal: null };
  if (calls.length > 0) message.tool_calls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  return {
    id: res.id || completionId(),
    object: "chat.completion",
    created: unixSeconds(),
    model: res.model || requestedModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonName(res.finishReason, calls.length > 0) }],
    usage: usageJson(res.usage),
  };
}
