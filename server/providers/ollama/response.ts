// Ollama /api/chat and /api/embed answers -> hoosh.v1: finish reason, usage,
// tool calls, embeddings (streams are stream.ts).
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { FinishReason, MessageSchema, Role, type ToolCall, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedResponseSchema, GenerateResponseSchema, type EmbedResponse, type GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { jsonText } from "../../core/json-text.js";
import { count, upstreamUsage } from "../counts.js";
import type * as wire from "./wire.js";

/**
 * Why generation stopped. Tool calls win (Ollama says "stop" for them); a
 * finished answer without a reason (older servers) is a stop.
 */
export function fromDoneReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return FinishReason.TOOL_CALLS;
  if (reason === undefined || reason === "" || reason === "stop") return FinishReason.STOP;
  if (reason === "length") return FinishReason.LENGTH;
  return FinishReason.UNSPECIFIED;
}

export function fromUsage(res: Pick<wire.ChatResponse, "prompt_eval_count" | "eval_count"> | undefined): Usage {
  return upstreamUsage({ inputTokens: res?.prompt_eval_count, outputTokens: res?.eval_count });
}

/** Ollama gives no tool call ids (newer servers may): the n-th call of an answer is "call_<n>". */
export function fromToolCall(call: wire.ToolCall, index: number): Omit<ToolCall, "$typeName"> {
  const args: unknown = call.function?.arguments;
  return {
    id: call.id || `call_${index}`,
    name: call.function?.name ?? "",
    arguments: typeof args === "string" ? args : jsonText(args ?? {}, () => new ConnectError("ollama sent tool-call arguments too deeply nested to encode", Code.Internal)),
  };
}

export function fromChatResponse(res: wire.ChatResponse): GenerateResponse {
  const msg = res.message;
  const toolCalls = (msg?.tool_calls ?? []).map(fromToolCall);
  // message.thinking is the model's reasoning, not its answer: a reasoning part before the text
  // (as the stream relays it), never part of the text.
  const message = create(MessageSchema, {
    role: Role.ASSISTANT,
    content: [
      ...(msg?.thinking ? [{ part: { case: "reasoning" as const, value: { text: msg.thinking } } }] : []),
      ...(msg?.content ? [{ part: { case: "text" as const, value: msg.content } }] : []),
    ],
    toolCalls,
  });
  return create(GenerateResponseSchema, {
    id: "",
    model: res.model ?? "",
    message,
    finishReason: fromDoneReason(res.done_reason, toolCalls.length > 0),
    usage: fromUsage(res),
  });
}

/** One vector per input, in input order; any other count is the upstream's fault. */
export function fromEmbedResponse(provider: string, res: wire.EmbedResponse, inputs: number): EmbedResponse {
  const vectors = res.embeddings ?? [];
  if (vectors.length !== inputs) {
    throw new ConnectError(`provider "${provider}" answered ${vectors.length} embeddings for ${inputs} inputs`, Code.Internal);
  }
  return create(EmbedResponseSchema, {
    model: res.model ?? "",
    embeddings: vectors.map((values, index) => ({ index, values })),
    usage: { inputTokens: count(res.prompt_eval_count) },
  });
}

