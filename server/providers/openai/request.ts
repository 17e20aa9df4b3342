// hoosh.v1 requests as OpenAI chat-completions and embeddings bodies, aimed at the upstream's own
// model id, with the quirks of the OpenAI-compatible server behind the provider.
import { ResponseFormat_Type, ToolChoice_Mode, type ContentPart, type Message, type ToolChoice } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { EmbedRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { unhonoured, type OptionalField } from "../honoured.js";
import type { ChatRequest } from "../provider.js";
import { toDetail, toEffort, toRole } from "./enums.js";
import type * as wire from "./wire.js";

/** Differences between OpenAI-compatible servers, set by config presets. */
export interface OpenAIQuirks {
  /** OpenAI's own API wants max_completion_tokens (reasoning models reject max_tokens). */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Whether to ask for usage in the last stream chunk (stream_options.include_usage). */
  streamUsage: boolean;
  /** Whether the server takes top_k (vLLM, llama.cpp, Together, Fireworks, OpenRouter; not OpenAI). */
  topK: boolean;
}

export const DEFAULT_QUIRKS: OpenAIQuirks = { maxTokensField: "max_tokens", streamUsage: true, topK: false };

/** What an OpenAI-compatible server honours of hoosh's optional fields (prompt caching is automatic, not by breakpoint). */
const HONOURS: OptionalField[] = ["sampling.seed", "sampling.presence_penalty", "sampling.frequency_penalty", "reasoning", "service_tier", "logprobs", "top_logprobs", "prediction", "metadata", "user", "parallel_tool_calls", "messages.name"];
const HONOURED = new Set<OptionalField>(HONOURS);
const HONOURED_TOP_K = new Set<OptionalField>([...HONOURS, "sampling.top_k"]);

/** Reasoning text is the model's own: OpenAI-compatible servers take no reasoning parts back. */
function toContentPart(part: ContentPart): wire.ContentPart | undefined {
  const p = part.part;
  switch (p.case) {
    case "text":
      return { type: "text", text: p.value };
    case "image": {
      const img = p.value;
      const url = img.source.case === "data" ? `data:${img.mimeType};base64,${Buffer.from(img.source.value).toString("base64")}` : (img.source.value ?? "");
      return { type: "image_url", image_url: { url, detail: toDetail(img.detail) } };
    }
    case "audio":
      return { type: "input_audio", input_audio: { data: Buffer.from(p.value.data).toString("base64"), format: p.value.format } };
    default:
      return undefined;
  }
}

/** A single text part becomes a plain string, as most OpenAI-compatible servers expect. */
function toContent(parts: ContentPart[]): string | wire.ContentPart[] | null {
  const out = parts.map(toContentPart).filter((p): p is wire.ContentPart => p !== undefined);
  if (out.length === 0) return null;
  const only = out[0]!;
  return out.length === 1 && only.type === "text" ? only.text : out;
}

function toMessage(m: Message): wire.ChatMessage {
  const out: wire.ChatMessage = { role: toRole(m.role), content: toContent(m.content) };
  if (m.name) out.name = m.name;
  if (m.toolCalls.length > 0) out.tool_calls = m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  if (m.toolCallId) out.tool_call_id = m.toolCallId;
  return out;
}

const MODES: Partial<Record<ToolChoice_Mode, "auto" | "none" | "required">> = {
  [ToolChoice_Mode.AUTO]: "auto",
  [ToolChoice_Mode.NONE]: "none",
  [ToolChoice_Mode.REQUIRED]: "required",
};

function toToolChoice(choice: ToolChoice | undefined): wire.ToolChoice | undefined {
  const c = choice?.choice;
  if (c?.case === "functionName") return { type: "function", function: { name: c.value } };
  return c?.case === "mode" ? MODES[c.value] : undefined;
}

function toResponseFormat(req: ChatRequest): wire.ResponseFormat | undefined {
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

/** Request metadata minus hoosh's own keys (the budget pool is hoosh's business, not the vendor's). */
function toMetadata(metadata: Record<string, string>): Record<string, string> | undefined {
  const entries = Object.entries(metadata).filter(([k]) => k !== "budget_pool");
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export interface ChatPlan {
  body: wire.ChatRequest;
  /** hoosh.v1 fields the request set that this server cannot honour. */
  ignored: string[];
}

/** The chat-completions body for a request, aimed at the upstream's own model id. */
export function toChatRequest(req: ChatRequest, upstreamModel: string, stream: boolean, quirks: OpenAIQuirks = DEFAULT_QUIRKS): ChatPlan {
  const s = req.sampling;
  const hasTools = req.tools.length > 0;
  const body: wire.ChatRequest = {
    model: upstreamModel,
    messages: req.messages.map(toMessage),
    temperature: s?.temperature,
    top_p: s?.topP,
    top_k: quirks.topK ? s?.topK : undefined,
    [quirks.maxTokensField]: s?.maxTokens,
    stop: s && s.stop.length > 0 ? s.stop : undefined,
    seed: s?.seed === undefined ? undefined : Number(s.seed),
    presence_penalty: s?.presencePenalty,
    frequency_penalty: s?.frequencyPenalty,
    tools: hasTools
      ? req.tools.map((t) => ({
          type: "function",
          function: { name: t.name, description: t.description || undefined, parameters: t.parameters ?? { type: "object", properties: {} }, strict: t.strict || undefined },
        }))
      : undefined,
    // OpenAI rejects tool_choice and parallel_tool_calls without tools.
    tool_choice: hasTools ? toToolChoice(req.toolChoice) : undefined,
    parallel_tool_calls: hasTools ? req.parallelToolCalls : undefined,
    response_format: toResponseFormat(req),
    reasoning_effort: req.reasoning ? toEffort(req.reasoning.effort) : undefined,
    service_tier: req.serviceTier || undefined,
    logprobs: req.logprobs || undefined,
    top_logprobs: req.logprobs ? req.topLogprobs : undefined,
    prediction: req.prediction ? { type: "content", content: req.prediction } : undefined,
    metadata: toMetadata(req.metadata),
    user: req.user || undefined,
  };
  if (stream) {
    body.stream = true;
    if (quirks.streamUsage) body.stream_options = { include_usage: true };
  }
  const ignored = unhonoured(req, quirks.topK ? HONOURED_TOP_K : HONOURED);
  // A thinking budget without an effort level has no OpenAI form.
  if (req.reasoning && req.reasoning.effort === 0 && req.reasoning.budgetTokens !== undefined) ignored.push("reasoning.budget_tokens");
  if (!hasTools && req.parallelToolCalls !== undefined) ignored.push("parallel_tool_calls");
  return { body, ignored: [...new Set(ignored)] };
}

export function toEmbeddingsRequest(req: EmbedRequest, upstreamModel: string): wire.EmbeddingsRequest {
  return { model: upstreamModel, input: req.inputs, dimensions: req.dimensions, user: req.user || undefined, encoding_format: "float" };
}
