// An OpenAI chat-completions request body to a hoosh.v1 GenerateRequest:
// checks every field's type here (naming OpenAI's field), leaves ranges and
// cross-field rules to the core's validation.
import { create, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { ResponseFormat_Type, ToolChoice_Mode, type ResponseFormatSchema, type ToolChoiceSchema, type ToolDefinitionSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { showValue } from "../../core/errors.js";
import { toMessages } from "./chat-messages.js";
import { Fields, fieldsAt, invalid, isObject, missing, wrongType } from "./fields.js";

export interface ChatCall {
  request: GenerateRequest;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with usage and no choices. */
  includeUsage: boolean;
}

const UINT32_MAX = 0xffffffff;
const MODES = { auto: ToolChoice_Mode.AUTO, none: ToolChoice_Mode.NONE, required: ToolChoice_Mode.REQUIRED } as const;
const FORMATS = ["text", "json_object", "json_schema"] as const;
const METADATA = { maxPairs: 16, maxKey: 64, maxValue: 512 };

export function parseChatRequest(body: unknown): ChatCall {
  if (!isObject(body)) throw wrongType("body", "a JSON object", body);
  const f = new Fields(body);
  rejectUnsupported(f);
  const stream = f.boolean("stream") ?? false;
  const options = f.nested("stream_options");
  if (options && !stream) throw invalid("stream_options", "is only allowed when stream is true");
  const maxTokens = f.integer("max_completion_tokens", 1, UINT32_MAX) ?? f.integer("max_tokens", 1, UINT32_MAX);
  const seed = f.integer("seed", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const tools = toTools(f.array("tools"));
  const request = create(GenerateRequestSchema, {
    model: f.requiredString("model", 'e.g. "gpt-4o-mini"'),
    messages: toMessages(f.raw("messages")),
    tools,
    toolChoice: toToolChoice(f),
    parallelToolCalls: f.boolean("parallel_tool_calls"),
    sampling: {
      temperature: f.number("temperature"),
      topP: f.number("top_p"),
      maxTokens,
      stop: toStop(f),
      seed: seed === undefined ? undefined : BigInt(seed),
      presencePenalty: f.number("presence_penalty"),
      frequencyPenalty: f.number("frequency_penalty"),
    },
    responseFormat: toResponseFormat(f.nested("response_format")),
    metadata: toMetadata(f.object("metadata")),
    user: f.string("user") ?? "",
  });
  return { request, stream, includeUsage: options?.boolean("include_usage") ?? false };
}

/** Fields whose meaning hoosh cannot honour: answering without them would silently change the result. */
function rejectUnsupported(f: Fields): void {
  const n = f.integer("n", 1, 128);
  if (n !== undefined && n !== 1) throw invalid("n", `${n} is not supported; hoosh returns one choice (n=1)`, "unsupported_value");
  if (f.boolean("logprobs")) throw invalid("logprobs", "is not supported", "unsupported_parameter");
  if (f.integer("top_logprobs", 0, 20) !== undefined) throw invalid("top_logprobs", "is not supported (logprobs is not supported)", "unsupported_parameter");
  for (const key of ["functions", "function_call"]) {
    if (f.raw(key) !== undefined) throw invalid(key, `is deprecated and not supported; use ${key === "functions" ? "tools" : "tool_choice"}`, "unsupported_parameter");
  }
  const modalities = f.array("modalities");
  if (modalities?.some((m) => m !== "text")) throw invalid("modalities", `${showValue(modalities)} is not supported; only ["text"]`, "unsupported_value");
  if (f.raw("audio") !== undefined) throw invalid("audio", "audio output is not supported", "unsupported_parameter");
}

type ToolInit = MessageInitShape<typeof ToolDefinitionSchema>;

function toTools(tools: unknown[] | undefined): ToolInit[] {
  return (tools ?? []).map((t, i) => {
    const tool = fieldsAt(t, `tools[${i}]`);
    const type = tool.requiredString("type", '"function"');
    if (type !== "function") throw invalid(tool.path("type"), `${showValue(type)} is not supported; use "function"`);
    const fn = tool.nested("function");
    if (!fn) throw missing(tool.path("function"), "{name, description, parameters}");
    return {
      name: fn.requiredString("name"),
      description: fn.string("description") ?? "",
      parameters: fn.object("parameters") as JsonObject | undefined,
      strict: fn.boolean("strict") ?? false,
    };
  });
}

function toToolChoice(f: Fields): MessageInitShape<typeof ToolChoiceSchema> | undefined {
  const choice = f.raw("tool_choice");
  if (choice === undefined) return undefined;
  if (typeof choice === "string") {
    const mode = (MODES as Record<string, ToolChoice_Mode>)[choice];
    if (mode === undefined) throw invalid("tool_choice", `${showValue(choice)} is not one of: auto, none, required, or {"type":"function","function":{"name":...}}`);
    return { choice: { case: "mode", value: mode } };
  }
  const c = fieldsAt(choice, "tool_choice");
  const type = c.requiredString("type", '"function"');
  if (type !== "function") throw invalid(c.path("type"), `${showValue(type)} is not supported; use "function"`);
  const fn = c.nested("function");
  if (!fn) throw missing(c.path("function"), "{name}");
  return { choice: { case: "functionName", value: fn.requiredString("name") } };
}

function toStop(f: Fields): string[] {
  const stop = f.raw("stop");
  if (stop === undefined) return [];
  if (typeof stop === "string") return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) return stop;
  throw wrongType("stop", "a string or an array of strings", stop);
}

function toResponseFormat(rf: Fields | undefined): MessageInitShape<typeof ResponseFormatSchema> | undefined {
  if (!rf) return undefined;
  const type = rf.oneOf("type", FORMATS);
  if (type === undefined) throw missing(rf.path("type"), FORMATS.join(", "));
  if (type === "text") return { type: ResponseFormat_Type.TEXT };
  if (type === "json_object") return { type: ResponseFormat_Type.JSON_OBJECT };
  const js = rf.nested("json_schema");
  if (!js) throw missing(rf.path("json_schema"), "{name, schema, strict}");
  const schema = js.object("schema");
  if (schema === undefined) throw missing(js.path("schema"), "a JSON Schema object");
  return { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: js.requiredString("name"), jsonSchema: schema as JsonObject, strict: js.boolean("strict") ?? false };
}

function toMetadata(metadata: Record<string, unknown> | undefined): Record<string, string> {
  if (!metadata) return {};
  const entries = Object.entries(metadata);
  if (entries.length > METADATA.maxPairs) throw invalid("metadata", `has ${entries.length} keys; at most ${METADATA.maxPairs} are allowed`);
  for (const [key, value] of entries) {
    if (typeof value !== "string") throw wrongType(metadataField(key), "a string", value);
    if (key.length > METADATA.maxKey) throw invalid("metadata", `key ${showValue(key)} is longer than ${METADATA.maxKey} characters`);
    if (value.length > METADATA.maxValue) throw invalid(metadataField(key), `is longer than ${METADATA.maxValue} characters`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** metadata.team, or metadata["odd key"] when the key is not a plain name (so the field stays readable). */
function metadataField(key: string): string {
  return /^[A-Za-z_][\w-]*$/.test(key) ? `metadata.${key}` : `metadata[${JSON.stringify(key.slice(0, 64))}]`;
}
