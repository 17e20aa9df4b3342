// An OpenAI chat-completions request body to a hoosh.v1 GenerateRequest: types come checked by
// chat-schema.ts; here are the rules between fields and what hoosh refuses (answering without
// them would silently change the result) or reports as ignored.
import { create, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { ResponseFormat_Type, ToolChoice_Mode, type ResponseFormatSchema, type ToolChoiceSchema, type ToolDefinitionSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import { fromEffort } from "../../providers/openai/enums.js";
import { parseBody, unknownKeys } from "../json-body.js";
import { toMessages } from "./chat-messages.js";
import { ChatBody, IGNORED_CHAT_FIELDS } from "./chat-schema.js";

export interface ChatCall {
  request: GenerateRequest;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with usage and no choices. */
  includeUsage: boolean;
  /** Fields hoosh accepted but will not use (x-hoosh-ignored-params). */
  ignored: string[];
}

const MODES = { auto: ToolChoice_Mode.AUTO, none: ToolChoice_Mode.NONE, required: ToolChoice_Mode.REQUIRED } as const;
const METADATA = { maxPairs: 16, maxKey: 64, maxValue: 512 };

export function parseChatRequest(raw: unknown): ChatCall {
  const b = parseBody(ChatBody, raw);
  rejectUnsupported(b);
  const stream = b.stream ?? false;
  if (b.stream_options && !stream) throw invalidArgument("stream_options", "is only allowed when stream is true");
  if (b.top_logprobs != null && !b.logprobs) throw invalidArgument("top_logprobs", "requires logprobs: true");
  const prediction = b.prediction ? (typeof b.prediction.content === "string" ? b.prediction.content : b.prediction.content.map((p) => p.text).join("")) : "";
  const request = create(GenerateRequestSchema, {
    model: b.model,
    messages: toMessages(b.messages),
    tools: toTools(b),
    toolChoice: toToolChoice(b.tool_choice),
    parallelToolCalls: b.parallel_tool_calls ?? undefined,
    sampling: {
      temperature: b.temperature ?? undefined,
      topP: b.top_p ?? undefined,
      topK: b.top_k ?? undefined,
      maxTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
      stop: b.stop == null ? [] : typeof b.stop === "string" ? [b.stop] : b.stop,
      seed: b.seed == null ? undefined : BigInt(b.seed),
      presencePenalty: b.presence_penalty ?? undefined,
      frequencyPenalty: b.frequency_penalty ?? undefined,
    },
    responseFormat: toResponseFormat(b.response_format),
    reasoning: b.reasoning_effort ? { effort: fromEffort(b.reasoning_effort) } : undefined,
    serviceTier: b.service_tier ?? "",
    logprobs: b.logprobs ?? false,
    topLogprobs: b.logprobs ? (b.top_logprobs ?? undefined) : undefined,
    prediction,
    metadata: toMetadata(b.metadata),
    user: b.user ?? b.safety_identifier ?? "",
  });
  const ignored = [...unknownKeys(ChatBody, raw), ...IGNORED_CHAT_FIELDS.filter((k) => (b as Record<string, unknown>)[k] != null)];
  return { request, stream, includeUsage: b.stream_options?.include_usage ?? false, ignored };
}

/** Fields whose meaning hoosh cannot honour: answering without them would silently change the result. */
function rejectUnsupported(b: ChatBody): void {
  if (b.n != null && b.n !== 1) throw invalidArgument("n", `${b.n} is not supported; hoosh returns one choice (n=1)`, "UNSUPPORTED_VALUE");
  for (const key of ["functions", "function_call"] as const) {
    if (b[key] != null) throw invalidArgument(key, `is deprecated and not supported; use ${key === "functions" ? "tools" : "tool_choice"}`, "UNSUPPORTED_PARAMETER");
  }
  if (b.modalities?.some((m) => m !== "text")) throw invalidArgument("modalities", `${showValue(b.modalities)} is not supported; only ["text"]`, "UNSUPPORTED_VALUE");
  if (b.audio != null) throw invalidArgument("audio", "audio output is not supported", "UNSUPPORTED_PARAMETER");
}

type ToolInit = MessageInitShape<typeof ToolDefinitionSchema>;

function toTools(b: ChatBody): ToolInit[] {
  return (b.tools ?? []).map((t) => ({
    name: t.function.name,
    description: t.function.description ?? "",
    parameters: (t.function.parameters ?? undefined) as JsonObject | undefined,
    strict: t.function.strict ?? false,
  }));
}

function toToolChoice(choice: ChatBody["tool_choice"]): MessageInitShape<typeof ToolChoiceSchema> | undefined {
  if (choice == null) return undefined;
  if (typeof choice === "string") return { choice: { case: "mode", value: MODES[choice] } };
  return { choice: { case: "functionName", value: choice.function.name } };
}

function toResponseFormat(rf: ChatBody["response_format"]): MessageInitShape<typeof ResponseFormatSchema> | undefined {
  if (rf == null) return undefined;
  if (rf.type === "text") return { type: ResponseFormat_Type.TEXT };
  if (rf.type === "json_object") return { type: ResponseFormat_Type.JSON_OBJECT };
  const js = rf.json_schema;
  if (js == null) throw invalidArgument("response_format.json_schema", "is required (with {name, schema, strict})", "MISSING");
  return { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: js.name, jsonSchema: js.schema as JsonObject, strict: js.strict ?? false };
}

export function toMetadata(metadata: Record<string, string> | null | undefined): Record<string, string> {
  if (!metadata) return {};
  const entries = Object.entries(metadata);
  if (entries.length > METADATA.maxPairs) throw invalidArgument("metadata", `has ${entries.length} keys; at most ${METADATA.maxPairs} are allowed`);
  for (const [key, value] of entries) {
    if (key.length > METADATA.maxKey) throw invalidArgument("metadata", `key ${showValue(key)} is longer than ${METADATA.maxKey} characters`);
    if (value.length > METADATA.maxValue) throw invalidArgument(metadataField(key), `is longer than ${METADATA.maxValue} characters`);
  }
  return metadata;
}

/** metadata.team, or metadata["odd key"] when the key is not a plain name (so the field stays readable). */
function metadataField(key: string): string {
  return /^[A-Za-z_][\w-]*$/.test(key) ? `metadata.${key}` : `metadata[${JSON.stringify(key.slice(0, 64))}]`;
}
