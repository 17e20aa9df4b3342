// hoosh.v1 <-> OpenAI chat-completions / embeddings JSON. The only place that
// knows OpenAI's request and response shapes.
import { count, upstreamUsage } from "../counts.js";
import { create } from "@bufbuild/protobuf";
import {
  FinishReason,
  ImageDetail,
  MessageSchema,
  ResponseFormat_Type,
  Role,
  ToolChoice_Mode,
  type ContentPart,
  type Message,
  type ToolChoice,
  type Usage,
} from "../../../gen/ts/hoosh/v1/chat_pb.js";
import {
  EmbedResponseSchema,
  GenerateResponseSchema,
  type EmbedRequest,
  type EmbedResponse,
  type GenerateResponse,
} from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { ChatRequest } from "../provider.js";
import { roleName } from "../roles.js";
import type * as wire from "./wire.js";


const DETAIL_NAMES: Record<ImageDetail, wire.ImageDetail | undefined> = {
  [ImageDetail.UNSPECIFIED]: undefined,
  [ImageDetail.LOW]: "low",
  [ImageDetail.HIGH]: "high",
  [ImageDetail.AUTO]: "auto",
};

function toContentPart(part: ContentPart): wire.ContentPart | undefined {
  switch (part.part.case) {
    case "text":
      return { type: "text", text: part.part.value };
    case "image": {
      const img = part.part.value;
      const url =
        img.source.case === "data"
          ? `data:${img.mimeType};base64,${Buffer.from(img.source.value).toString("base64")}`
          : (img.source.value ?? "");
      return { type: "image_url", image_url: { url, detail: DETAIL_NAMES[img.detail] } };
    }
    case "audio":
      return {
        type: "input_audio",
        input_audio: { data: Buffer.from(part.part.value.data).toString("base64"), format: part.part.value.format },
      };
    default:
      return undefined;
  }
}

/** A single text part becomes a plain string, as most OpenAI-compatible servers expect. */
function toContent(parts: ContentPart[]): string | wire.ContentPart[] | null {
  if (parts.length === 0) return null;
  const only = parts[0];
  if (parts.length === 1 && only?.part.case === "text") return only.part.value;
  return parts.map(toContentPart).filter((p): p is wire.ContentPart => p !== undefined);
}

function toMessage(m: Message): wire.ChatMessage {
  const out: wire.ChatMessage = { role: roleName(m.role), content: toContent(m.content) };
  if (m.name) out.name = m.name;
  if (m.toolCalls.length > 0) {
    out.tool_calls = m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  }
  if (m.toolCallId) out.tool_call_id = m.toolCallId;
  return out;
}

function toToolChoice(choice: ToolChoice | undefined): wire.ChatRequest["tool_choice"] {
  switch (choice?.choice.case) {
    case "functionName":
      return { type: "function", function: { name: choice.choice.value } };
    case "mode":
      return ({ [ToolChoice_Mode.AUTO]: "auto", [ToolChoice_Mode.NONE]: "none", [ToolChoice_Mode.REQUIRED]: "required" } as const)[
        choice.choice.value as ToolChoice_Mode.AUTO | ToolChoice_Mode.NONE | ToolChoice_Mode.REQUIRED
      ];
    default:
      return undefined;
  }
}

function toResponseFormat(req: ChatRequest): wire.ChatRequest["response_format"] {
  const f = req.responseFormat;
  switch (f?.type) {
    case ResponseFormat_Type.JSON_OBJECT:
      return { type: "json_object" };
    case ResponseFormat_Type.JSON_SCHEMA:
      return { type: "json_schema", json_schema: { name: f.schemaName || "response", schema: f.jsonSchema ?? {}, strict: f.strict } };
    case ResponseFormat_Type.TEXT:
      return { type: "text" };
    default:
      return undefined;
  }
}

/** Differences between OpenAI-compatible servers, set by config presets. */
export interface OpenAIQuirks {
  /** OpenAI's own API wants max_completion_tokens (reasoning models reject max_tokens). */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Whether to ask for usage in the last stream chunk (stream_options.include_usage). */
  streamUsage: boolean;
}

export const DEFAULT_QUIRKS: OpenAIQuirks = { maxTokensField: "max_tokens", streamUsage: true };

/** The chat-completions body for a request, aimed at the upstream's own model id. */
export function toChatRequest(req: ChatRequest, upstreamModel: string, stream: boolean, quirks: OpenAIQuirks = DEFAULT_QUIRKS): wire.ChatRequest {
  const s = req.sampling;
  const body: wire.ChatRequest = {
    model: upstreamModel,
    messages: req.messages.map(toMessage),
    temperature: s?.temperature,
    top_p: s?.topP,
    [quirks.maxTokensField]: s?.maxTokens,
    stop: s && s.stop.length > 0 ? s.stop : undefined,
    seed: s?.seed === undefined ? undefined : Number(s.seed),
    presence_penalty: s?.presencePenalty,
    frequency_penalty: s?.frequencyPenalty,
    tools:
      req.tools.length > 0
        ? req.tools.map((t) => ({
            type: "function",
            function: { name: t.name, description: t.description || undefined, parameters: t.parameters ?? { type: "object", properties: {} }, strict: t.strict || undefined },
          }))
        : undefined,
    // OpenAI rejects tool_choice without tools.
    tool_choice: req.tools.length > 0 ? toToolChoice(req.toolChoice) : undefined,
    parallel_tool_calls: req.tools.length > 0 ? req.parallelToolCalls : undefined,
    response_format: toResponseFormat(req),
    user: req.user || undefined,
  };
  if (stream) {
    body.stream = true;
    if (quirks.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

// A Map, not an object: upstream strings such as "constructor" must not hit prototype keys.
const FINISH_REASONS = new Map<string, FinishReason>([
  ["stop", FinishReason.STOP],
  ["length", FinishReason.LENGTH],
  ["tool_calls", FinishReason.TOOL_CALLS],
  ["function_call", FinishReason.TOOL_CALLS],
  ["content_filter", FinishReason.CONTENT_FILTER],
]);

export function fromFinishReason(reason: string | null | undefined): FinishReason {
  return (reason && FINISH_REASONS.get(reason)) || FinishReason.UNSPECIFIED;
}

export function fromUsage(u: wire.Usage | null | undefined): Usage {
  return upstreamUsage({
    inputTokens: u?.prompt_tokens ?? 0,
    cachedInputTokens: u?.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens: u?.completion_tokens ?? 0,
    reasoningTokens: u?.completion_tokens_details?.reasoning_tokens ?? 0,
    audioTokens: (u?.prompt_tokens_details?.audio_tokens ?? 0) + (u?.completion_tokens_details?.audio_tokens ?? 0),
  });
}

export function fromChatResponse(res: wire.ChatResponse): GenerateResponse {
  const choice = res.choices?.[0];
  const msg = choice?.message;
  const message = create(MessageSchema, {
    role: Role.ASSISTANT,
    content: msg?.content ? [{ part: { case: "text", value: msg.content } }] : [],
    toolCalls: (msg?.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
  });
  return create(GenerateResponseSchema, {
    id: res.id ?? "",
    model: res.model ?? "",
    message,
    finishReason: fromFinishReason(choice?.finish_reason),
    usage: fromUsage(res.usage),
  });
}

export function toEmbeddingsRequest(req: EmbedRequest, upstreamModel: string): wire.EmbeddingsRequest {
  return { model: upstreamModel, input: req.inputs, dimensions: req.dimensions, user: req.user || undefined, encoding_format: "float" };
}

export function fromEmbeddingsResponse(res: wire.EmbeddingsResponse): EmbedResponse {
  const data = [...(res.data ?? [])].sort((a, b) => a.index - b.index);
  return create(EmbedResponseSchema, {
    model: res.model ?? "",
    embeddings: data.map((d) => ({ index: d.index, values: d.embedding })),
    usage: { inputTokens: count(res.usage?.prompt_tokens) },
  });
}
