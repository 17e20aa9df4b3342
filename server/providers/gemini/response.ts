// Gemini GenerateContentResponse / BatchEmbedContentsResponse to hoosh.v1:
// text and function calls, finish reasons, usage, and safety blocks as errors.
import { upstreamUsage } from "../counts.js";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { FinishReason, MessageSchema, Role, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedResponseSchema, GenerateResponseSchema, type EmbedResponse, type GenerateResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type * as wire from "./wire.js";

// A Map, not an object: upstream strings such as "constructor" must not hit prototype keys.
const FINISH_REASONS = new Map<string, FinishReason>([
  ["STOP", FinishReason.STOP],
  ["MAX_TOKENS", FinishReason.LENGTH],
  ["SAFETY", FinishReason.CONTENT_FILTER],
  ["RECITATION", FinishReason.CONTENT_FILTER],
  ["BLOCKLIST", FinishReason.CONTENT_FILTER],
  ["PROHIBITED_CONTENT", FinishReason.CONTENT_FILTER],
  ["SPII", FinishReason.CONTENT_FILTER],
  ["IMAGE_SAFETY", FinishReason.CONTENT_FILTER],
]);

export function fromFinishReason(reason: string | undefined): FinishReason {
  return (reason && FINISH_REASONS.get(reason)) || FinishReason.UNSPECIFIED;
}

/** Gemini says STOP when it calls functions; hoosh says TOOL_CALLS. */
export function finishWithCalls(reason: FinishReason, calls: number): FinishReason {
  return calls > 0 && (reason === FinishReason.STOP || reason === FinishReason.UNSPECIFIED) ? FinishReason.TOOL_CALLS : reason;
}

const audioIn = (details: wire.ModalityTokenCount[] | undefined): number =>
  (details ?? []).reduce((n, d) => n + (d.modality === "AUDIO" ? (d.tokenCount ?? 0) : 0), 0);

export function fromUsage(u: wire.UsageMetadata | undefined): Usage {
  const thoughts = u?.thoughtsTokenCount ?? 0;
  return upstreamUsage({
    inputTokens: (u?.promptTokenCount ?? 0) + (u?.toolUsePromptTokenCount ?? 0),
    cachedInputTokens: u?.cachedContentTokenCount ?? 0,
    outputTokens: (u?.candidatesTokenCount ?? 0) + thoughts,
    reasoningTokens: thoughts,
    audioTokens: audioIn(u?.promptTokensDetails) + audioIn(u?.candidatesTokensDetails),
  });
}

function describeRatings(ratings: wire.SafetyRating[] | undefined): string {
  const shown = (ratings ?? [])
    .filter((r) => r.blocked || (r.probability && r.probability !== "NEGLIGIBLE"))
    .map((r) => `${r.category ?? "HARM_CATEGORY_UNSPECIFIED"}=${r.probability ?? "?"}${r.blocked ? " (blocked)" : ""}`);
  return shown.length > 0 ? shown.join(", ") : "no category rated above NEGLIGIBLE";
}

/** InvalidArgument when Google refused the prompt itself (promptFeedback.blockReason); else undefined. */
export function promptBlocked(provider: string, res: wire.GenerateContentResponse): ConnectError | undefined {
  const reason = res.promptFeedback?.blockReason;
  if (!reason || (res.candidates?.length ?? 0) > 0) return undefined;
  return new ConnectError(
    `provider "${provider}" blocked the prompt (blockReason ${reason}; safety ratings: ${describeRatings(res.promptFeedback?.safetyRatings)})`,
    Code.InvalidArgument,
  );
}

/** FailedPrecondition for an answer withheld by a content filter before any of it was produced. */
export function answerBlocked(provider: string, candidate: wire.Candidate | undefined): ConnectError {
  const reason = candidate?.finishReason ?? "SAFETY";
  const detail = candidate?.finishMessage ? `; ${candidate.finishMessage}` : "";
  return new ConnectError(
    `provider "${provider}" withheld the answer (finishReason ${reason}; safety ratings: ${describeRatings(candidate?.safetyRatings)}${detail})`,
    Code.FailedPrecondition,
  );
}

/** The id of the n-th function call of an answer: Gemini's own where it gives one, else stable "call_<n>". */
export function callId(call: wire.FunctionCall, n: number): string {
  return call.id || `call_${n}`;
}

export function fromGenerateContentResponse(provider: string, res: wire.GenerateContentResponse): GenerateResponse {
  const blocked = promptBlocked(provider, res);
  if (blocked) throw blocked;
  const candidate = res.candidates?.[0];
  if (!candidate) throw new ConnectError(`provider "${provider}" answered without any candidate`, Code.Internal);
  let text = "";
  const toolCalls: { id: string; name: string; arguments: string }[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall) {
      toolCalls.push({ id: callId(part.functionCall, toolCalls.length), name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) });
    } else if (typeof part.text === "string" && !part.thought) {
      text += part.text;
    }
  }
  const finish = fromFinishReason(candidate.finishReason);
  if (finish === FinishReason.CONTENT_FILTER && text === "" && toolCalls.length === 0) throw answerBlocked(provider, candidate);
  return create(GenerateResponseSchema, {
    id: res.responseId ?? "",
    model: res.modelVersion ?? "",
    message: create(MessageSchema, { role: Role.ASSISTANT, content: text ? [{ part: { case: "text", value: text } }] : [], toolCalls }),
    finishReason: finishWithCalls(finish, toolCalls.length),
    usage: fromUsage(res.usageMetadata),
  });
}

export function fromBatchEmbedResponse(provider: string, model: string, inputs: number, res: wire.BatchEmbedContentsResponse): EmbedResponse {
  const embeddings = res.embeddings ?? [];
  if (embeddings.length !== inputs) {
    throw new ConnectError(`provider "${provider}" answered ${embeddings.length} embeddings for ${inputs} inputs`, Code.Internal);
  }
  // batchEmbedContents reports no token usage.
  return create(EmbedResponseSchema, { model, embeddings: embeddings.map((e, index) => ({ index, values: e.values ?? [] })), usage: {} });
}
