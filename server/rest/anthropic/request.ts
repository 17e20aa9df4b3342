// An Anthropic Messages request body to one hoosh.v1 ChatRequest: the single
// translation of the request at this edge. Checks use Anthropic's field names.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ReasoningEffort, ToolChoice_Mode, ToolDefinitionSchema, ToolChoiceSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import type { ChatRequest } from "../../providers/provider.js";
import { cacheBreakpoint, conversation, systemMessage, TOOL_NAME } from "./content.js";
import { array, blockType, integer, isObject, object, optionalBool, optionalNumber, optionalString, requiredString, string, type Json } from "./fields.js";

/** The core's limit on stop sequences (Anthropic allows more). */
const MAX_STOP_SEQUENCES = 4;
const MAX_TOKENS_LIMIT = 0xffff_ffff;
const TOOL_CHOICES = ["auto", "any", "tool", "none"] as const;

export interface ParsedRequest {
  chat: ChatRequest;
  stream: boolean;
  /** Accepted fields the core cannot honour yet (reported in x-hoosh-ignored-params). */
  ignored: string[];
}

type ToolInit = MessageInitShape<typeof ToolDefinitionSchema>;

function tools(value: unknown): ToolInit[] {
  if (value === undefined || value === null) return [];
  const names = new Set<string>();
  return array("tools", value).map((raw, i) => {
    const field = `tools[${i}]`;
    const t = object(field, raw);
    if (t.type !== undefined && t.type !== null && t.type !== "custom") {
      throw invalidArgument(`${field}.type`, `${showValue(t.type)} is not supported (server tools are not available through hoosh); omit type or use "custom"`);
    }
    const name = requiredString(`${field}.name`, t.name, "get_weather");
    if (!TOOL_NAME.test(name)) throw invalidArgument(`${field}.name`, `${showValue(name)} must match ${TOOL_NAME}`);
    if (names.has(name)) throw invalidArgument(`${field}.name`, `${showValue(name)} is defined twice`);
    names.add(name);
    if (t.input_schema === undefined) throw invalidArgument(`${field}.input_schema`, "is required (a JSON Schema with \"type\": \"object\")");
    const schema = object(`${field}.input_schema`, t.input_schema);
    if (schema.type !== "object") throw invalidArgument(`${field}.input_schema.type`, `${showValue(schema.type)} is not allowed; use "object"`);
    const description = optionalString(`${field}.description`, t.description) ?? "";
    return { name, description, parameters: schema as ToolInit["parameters"], ...cacheBreakpoint(`${field}.cache_control`, t.cache_control) };
  });
}

function toolChoice(value: unknown, defined: ToolInit[]): { choice?: MessageInitShape<typeof ToolChoiceSchema>; parallel?: boolean } {
  if (value === undefined || value === null) return {};
  const c = object("tool_choice", value);
  const type = blockType("tool_choice", c, TOOL_CHOICES);
  const disable = optionalBool("tool_choice.disable_parallel_tool_use", c.disable_parallel_tool_use);
  const parallel = disable === undefined ? undefined : !disable;
  if ((type === "any" || type === "tool") && defined.length === 0) throw invalidArgument("tool_choice", `${showValue(type)} requires at least one entry in tools`);
  if (type === "tool") {
    const name = requiredString("tool_choice.name", c.name, "get_weather");
    if (!defined.some((t) => t.name === name)) {
      throw invalidArgument("tool_choice.name", `${showValue(name)} is not one of the tools: ${defined.map((t) => t.name).join(", ")}`);
    }
    return { choice: { choice: { case: "functionName", value: name } }, parallel };
  }
  const mode = type === "any" ? ToolChoice_Mode.REQUIRED : type === "none" ? ToolChoice_Mode.NONE : ToolChoice_Mode.AUTO;
  return { choice: { choice: { case: "mode", value: mode } }, parallel };
}

function stopSequences(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = array("stop_sequences", value).map((s, i) => {
    const seq = string(`stop_sequences[${i}]`, s);
    if (seq === "") throw invalidArgument(`stop_sequences[${i}]`, "is empty; stop sequences need at least one character");
    return seq;
  });
  if (list.length > MAX_STOP_SEQUENCES) throw invalidArgument("stop_sequences", `has ${list.length} sequences; at most ${MAX_STOP_SEQUENCES} are allowed`);
  return list;
}

function topP(value: unknown): number | undefined {
  const p = optionalNumber("top_p", value, 0, 1);
  if (p === 0) throw invalidArgument("top_p", "0 is out of range; allowed: > 0 and <= 1");
  return p;
}

/** thinking {type: "enabled", budget_tokens} → reasoning.budget_tokens; {type: "disabled"} → effort none. */
function thinking(value: unknown): { budgetTokens?: number; effort?: ReasoningEffort } | undefined {
  if (value === undefined || value === null) return undefined;
  const t = object("thinking", value);
  if (t.type === "disabled") return { effort: ReasoningEffort.NONE };
  if (t.type !== "enabled") throw invalidArgument("thinking.type", `${showValue(t.type)} is not one of: enabled, disabled`);
  return { budgetTokens: integer("thinking.budget_tokens", t.budget_tokens, 1024, MAX_TOKENS_LIMIT) };
}

function user(metadata: unknown): string {
  if (metadata === undefined || metadata === null) return "";
  return optionalString("metadata.user_id", object("metadata", metadata).user_id) ?? "";
}

/** Top-level request fields this edge reads; any other is named in x-hoosh-ignored-params. */
const KNOWN_FIELDS = new Set(["model", "max_tokens", "messages", "system", "tools", "tool_choice", "temperature", "top_p", "top_k", "stop_sequences", "thinking", "metadata", "stream"]);

/**
 * Parses POST /v1/messages (requireMaxTokens) or /v1/messages/count_tokens.
 * Throws InvalidArgument naming the first bad field.
 */
export function parseRequest(body: unknown, opts: { requireMaxTokens: boolean }): ParsedRequest {
  if (!isObject(body)) throw invalidArgument("(body)", `${showValue(body)} is not a JSON object`);
  const b: Json = body;
  const model = requiredString("model", b.model, "claude-sonnet-4-5");
  let maxTokens: number | undefined;
  if (opts.requireMaxTokens) {
    if (b.max_tokens === undefined || b.max_tokens === null) throw invalidArgument("max_tokens", "is required (an integer >= 1, e.g. 1024)");
    maxTokens = integer("max_tokens", b.max_tokens, 1, MAX_TOKENS_LIMIT);
  }
  const messages = [...systemMessage(b.system), ...conversation(b.messages)];
  const defined = tools(b.tools);
  const { choice, parallel } = toolChoice(b.tool_choice, defined);
  // Fields hoosh does not know are named, never dropped silently (x-hoosh-ignored-params).
  const ignored = Object.keys(b).filter((k) => !KNOWN_FIELDS.has(k));
  const topK = b.top_k === undefined || b.top_k === null ? undefined : integer("top_k", b.top_k, 1, MAX_TOKENS_LIMIT);
  const chat = create(GenerateRequestSchema, {
    model,
    messages,
    tools: defined,
    toolChoice: choice,
    parallelToolCalls: parallel,
    sampling: {
      maxTokens,
      temperature: optionalNumber("temperature", b.temperature, 0, 1),
      topP: topP(b.top_p),
      topK,
      stop: stopSequences(b.stop_sequences),
    },
    reasoning: thinking(b.thinking),
    user: user(b.metadata),
  });
  return { chat, stream: optionalBool("stream", b.stream) ?? false, ignored };
}
