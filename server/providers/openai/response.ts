// OpenAI chat-completions and embeddings answers as hoosh.v1 responses. Upstream JSON is read
// loosely (Loose<>): a server may leave out anything.
import { create } from "@bufbuild/protobuf";
import { MessageSchema, Role, type ContentPartSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { EmbedResponseSchema, GenerateResponseSchema, type EmbedResponse, type GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { count } from "../counts.js";
import { fromFinishReason, fromLogprobs, fromUsage } from "./enums.js";
import type * as wire from "./wire.js";

type PartInit = MessageInitShape<typeof ContentPartSchema>;

export function fromChatResponse(res: wire.Loose<wire.ChatCompletion>): GenerateResponse {
  const choice = res.choices?.[0];
  const msg = choice?.message;
  const content: PartInit[] = [];
  if (typeof msg?.reasoning_content === "string" && msg.reasoning_content) content.push({ part: { case: "reasoning", value: { text: msg.reasoning_content } } });
  if (typeof msg?.content === "string" && msg.content) content.push({ part: { case: "text", value: msg.content } });
  const message = create(MessageSchema, {
    role: Role.ASSISTANT,
    content,
    toolCalls: (msg?.tool_calls ?? []).map((c) => ({ id: c?.id ?? "", name: c?.function?.name ?? "", arguments: c?.function?.arguments ?? "" })),
  });
  return create(GenerateResponseSchema, {
    id: res.id ?? "",
    model: res.model ?? "",
    message,
    finishReason: fromFinishReason(choice?.finish_reason),
    usage: fromUsage(res.usage),
    logprobs: fromLogprobs(choice?.logprobs?.content),
  });
}

export function fromEmbeddingsResponse(res: wire.Loose<wire.EmbeddingList>): EmbedResponse {
  const data = [...(res.data ?? [])].sort((a, b) => count(a?.index) - count(b?.index));
  return create(EmbedResponseSchema, {
    model: res.model ?? "",
    embeddings: data.map((d) => ({ index: count(d?.index), values: Array.isArray(d?.embedding) ? d.embedding : [] })),
    usage: { inputTokens: count(res.usage?.prompt_tokens) },
  });
}
