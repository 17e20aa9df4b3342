// A Responses API request body to a hoosh.v1 GenerateRequest, the same request chat completions
// make: input items become messages (consecutive function_call items one assistant turn with tool
// calls, function_call_output a tool message), instructions a system message first. Also the
// field names back: the core's errors name hoosh.v1 paths (messages[3].content[0]), the client
// wrote input[2].content[0].
import { create, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { ResponseFormat_Type, Role, ToolChoice_Mode, type MessageSchema, type ResponseFormatSchema, type ToolChoiceSchema } from "../../../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateRequest } from "../../../../gen/ts/hoosh/v1/inference_pb.js";
import { invalidArgument } from "../../../core/errors.js";
import { fromEffort, fromRole } from "../../../providers/openai/enums.js";
import { parseBody, unknownKeys } from "../../json-body.js";
import { imageFromUrl } from "../chat-messages.js";
import { toMetadata } from "../chat-request.js";
import { IGNORED_RESPONSES_FIELDS, ResponsesBody, type InputItem, type InputPart } from "./schema.js";

type MessageInit = MessageInitShape<typeof MessageSchema>;
type PartInit = NonNullable<MessageInit["content"]>[number];

export interface ResponsesCall {
  request: GenerateRequest;
  body: ResponsesBody;
  stream: boolean;
  /** Fields hoosh accepted but will not use (x-hoosh-ignored-params). */
  ignored: string[];
  /** hoosh.v1 field path -> the Responses API field, for errors and ignored params. */
  names: (field: string) => string;
}

const MODES = { auto: ToolChoice_Mode.AUTO, none: ToolChoice_Mode.NONE, required: ToolChoice_Mode.REQUIRED } as const;

/** Names hoosh.v1 fields as the Responses API does; `sources[k]` is the input path of messages[k]. */
function namer(sources: string[]): (field: string) => string {
  return (field) => {
    const m = /^messages\[(\d+)\](.*)$/.exec(field);
    if (m) {
      const rest = m[2]!.replace(/^\.tool_calls\[\d+\]\.name$/, ".name").replace(/\.image(\.(url|mime_type))?$/, ".image_url").replace(/^\.tool_call_id$/, ".call_id");
      return `${sources[Number(m[1])] ?? "input"}${rest}`;
    }
    if (field === "sampling.max_tokens") return "max_output_tokens";
    if (field.startsWith("sampling.")) return field.slice("sampling.".length);
    if (field === "reasoning" || field === "reasoning.effort") return "reasoning.effort";
    if (field.startsWith("response_format")) return "text.format";
    if (field === "tool_choice.function_name") return "tool_choice.name";
    if (field === "top_logprobs" || field === "logprobs") return "top_logprobs";
    return field;
  };
}

export function parseResponsesRequest(raw: unknown): ResponsesCall {
  const b = parseBody(ResponsesBody, raw);
  if (b.previous_response_id != null) {
    throw invalidArgument("previous_response_id", "is not supported: hoosh keeps no responses (store is off); send the whole conversation in input", "UNSUPPORTED_PARAMETER");
  }
  if (b.conversation != null) throw invalidArgument("conversation", "is not supported: hoosh keeps no conversations; send the whole conversation in input", "UNSUPPORTED_PARAMETER");
  if (b.background) throw invalidArgument("background", "true is not supported; hoosh answers in the request (use stream for long answers)", "UNSUPPORTED_VALUE");
  const ignored: string[] = [...unknownKeys(ResponsesBody, raw), ...IGNORED_RESPONSES_FIELDS.filter((k) => (b as Record<string, unknown>)[k] != null)];
  if (b.store === true) ignored.push("store");
  if (b.reasoning?.summary != null || b.reasoning?.generate_summary != null) ignored.push("reasoning.summary");
  if (b.text?.verbosity != null) ignored.push("text.verbosity");

  const sources: string[] = [];
  const messages: MessageInit[] = [];
  if (b.instructions != null && b.instructions !== "") {
    messages.push({ role: Role.SYSTEM, content: [{ part: { case: "text", value: b.instructions } }] });
    sources.push("instructions");
  }
  const items: InputItem[] = typeof b.input === "string" ? [{ type: "message", role: "user", content: b.input }] : b.input;
  items.forEach((item, i) => {
    const at = typeof b.input === "string" ? "input" : `input[${i}]`;
    if (item.type === "reasoning") {
      ignored.push(at);
      return;
    }
    if (item.type === "function_call") {
      const last = messages[messages.length - 1];
      const call = { id: item.call_id, name: item.name, arguments: item.arguments };
      // Consecutive calls (and calls right after the assistant's text) are one assistant turn.
      if (last?.role === Role.ASSISTANT) (last.toolCalls ??= []).push(call);
      else {
        messages.push({ role: Role.ASSISTANT, toolCalls: [call] });
        sources.push(at);
      }
      return;
    }
    if (item.type === "function_call_output") {
      messages.push({ role: Role.TOOL, toolCallId: item.call_id, content: toContent(item.output, Role.TOOL, `${at}.output`) });
      sources.push(at);
      return;
    }
    const role = fromRole(item.role)!;
    messages.push({ role, content: toContent(item.content, role, `${at}.content`) });
    sources.push(at);
  });
  if (messages.length === 0) throw invalidArgument("input", "is empty; at least one input item is required", "MISSING");

  const request = create(GenerateRequestSchema, {
    model: b.model,
    messages,
    tools: (b.tools ?? []).map((t) => ({ name: t.name, description: t.description ?? "", parameters: (t.parameters ?? undefined) as JsonObject | undefined, strict: t.strict ?? false })),
    toolChoice: toToolChoice(b.tool_choice),
    parallelToolCalls: b.parallel_tool_calls ?? undefined,
    sampling: { temperature: b.temperature ?? undefined, topP: b.top_p ?? undefined, maxTokens: b.max_output_tokens ?? undefined },
    responseFormat: toFormat(b.text?.format),
    reasoning: b.reasoning?.effort ? { effort: fromEffort(b.reasoning.effort) } : undefined,
    serviceTier: b.service_tier ?? "",
    logprobs: b.top_logprobs != null,
    topLogprobs: b.top_logprobs ?? undefined,
    metadata: toMetadata(b.metadata),
    user: b.user ?? b.safety_identifier ?? "",
  });
  return { request, body: b, stream: b.stream ?? false, ignored, names: namer(sources) };
}

function toContent(content: string | InputPart[], role: Role, at: string): PartInit[] {
  if (typeof content === "string") return [{ part: { case: "text", value: content } }];
  return content.map((p, j): PartInit => {
    const field = `${at}[${j}]`;
    if (p.type === "input_text" || p.type === "output_text") return { part: { case: "text", value: p.text } };
    if (p.type === "refusal") return { part: { case: "text", value: p.refusal } };
    if (role !== Role.USER) throw invalidArgument(`${field}.type`, '"input_image" parts are only allowed in user messages');
    return imageFromUrl(p.image_url, p.detail, `${field}.image_url`);
  });
}

function toToolChoice(choice: ResponsesBody["tool_choice"]): MessageInitShape<typeof ToolChoiceSchema> | undefined {
  if (choice == null) return undefined;
  if (typeof choice === "string") return { choice: { case: "mode", value: MODES[choice] } };
  return { choice: { case: "functionName", value: choice.name } };
}

function toFormat(format: NonNullable<ResponsesBody["text"]>["format"]): MessageInitShape<typeof ResponseFormatSchema> | undefined {
  if (format == null) return undefined;
  if (format.type === "text") return { type: ResponseFormat_Type.TEXT };
  if (format.type === "json_object") return { type: ResponseFormat_Type.JSON_OBJECT };
  return { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: format.name, jsonSchema: format.schema as JsonObject, strict: format.strict ?? false };
}
