// Bedrock Converse answers to hoosh.v1: text and tool calls, stop reasons and
// usage. Reasoning blocks are not part of a unary answer's message (as with
// the other adapters); streams forward them as reasoning deltas.
import { create } from "@bufbuild/protobuf";
import { FinishReason, MessageSchema, Role, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedResponseSchema, GenerateResponseSchema, type EmbedResponse, type GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { upstreamUsage } from "../counts.js";
import type * as wire from "./wire.js";

// A Map, not an object: upstream strings such as "constructor" must not hit prototype keys.
const STOP_REASONS = new Map<string, FinishReason>([
  ["end_turn", FinishReason.STOP],
  ["stop_sequence", FinishReason.STOP],
  ["max_tokens", FinishReason.LENGTH],
  ["model_context_window_exceeded", FinishReason.LENGTH],
  ["tool_use", FinishReason.TOOL_CALLS],
  ["guardrail_intervened", FinishReason.CONTENT_FILTER],
  ["content_filtered", FinishReason.CONTENT_FILTER],
]);

/** The finish reason; a tool_use stop caused only by the JSON-mode tool is STOP (its input is the text). */
export function fromStopReason(reason: string | undefined, realToolCalls = 0, jsonAnswered = false): FinishReason {
  const finish = (reason && STOP_REASONS.get(reason)) || FinishReason.UNSPECIFIED;
  return finish === FinishReason.TOOL_CALLS && realToolCalls === 0 && jsonAnswered ? FinishReason.STOP : finish;
}

/** Like Anthropic's: inputTokens leaves out cache reads and writes; hoosh's input is the whole prompt. */
export function fromUsage(u: wire.TokenUsage | undefined): Usage {
  const read = u?.cacheReadInputTokens ?? 0;
  const written = u?.cacheWriteInputTokens ?? 0;
  return upstreamUsage({ inputTokens: (u?.inputTokens ?? 0) + read + written, cachedInputTokens: read, outputTokens: u?.outputTokens ?? 0 });
}

export function fromConverseResponse(res: wire.ConverseResponse, id: string, model: string, jsonTool?: string): GenerateResponse {
  let text = "";
  let json: string | undefined;
  const toolCalls: { id: string; name: string; arguments: string }[] = [];
  for (const block of res.output?.message?.content ?? []) {
    if ("text" in block && typeof block.text === "string") text += block.text;
    if (!("toolUse" in block) || !block.toolUse) continue;
    const input = JSON.stringify(block.toolUse.input ?? {});
    if (jsonTool !== undefined && block.toolUse.name === jsonTool) json = (json ?? "") + input;
    else toolCalls.push({ id: block.toolUse.toolUseId ?? "", name: block.toolUse.name ?? "", arguments: input });
  }
  // A JSON answer is the whole text: prose around it would make it invalid JSON.
  if (json !== undefined) text = json;
  return create(GenerateResponseSchema, {
    id,
    model,
    message: create(MessageSchema, { role: Role.ASSISTANT, content: text ? [{ part: { case: "text", value: text } }] : [], toolCalls }),
    finishReason: fromStopReason(res.stopReason, toolCalls.length, json !== undefined),
    usage: fromUsage(res.usage),
  });
}

/** Titan embeddings come one input per call; the answers are put back in order. */
export function fromTitanEmbeddings(model: string, answers: wire.TitanEmbedResponse[]): EmbedResponse {
  return create(EmbedResponseSchema, {
    model,
    embeddings: answers.map((a, index) => ({ index, values: a.embedding ?? [] })),
    usage: upstreamUsage({ inputTokens: answers.reduce((n, a) => n + (a.inputTextTokenCount ?? 0), 0) }),
  });
}
