// hoosh.v1 <-> Ollama /api/chat and /api/embed JSON. The only place (with
// messages.ts) that knows Ollama's request and response shapes.
import { count, upstreamUsage } from "../counts.js";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { FinishReason, MessageSchema, ResponseFormat_Type, Role, ToolChoice_Mode, type ToolCall, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import {
  EmbedResponseSchema,
  GenerateResponseSchema,
  type EmbedRequest,
  type EmbedResponse,
  type GenerateResponse,
} from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { jsonText } from "../../core/json-text.js";
import type { OptionalField } from "../honoured.js";
import type { ChatRequest } from "../provider.js";
import { toMessages } from "./messages.js";
import type * as wire from "./wire.js";

/**
 * Ollama cannot force a tool: "none" sends no tools and a named function
 * sends only that one; "auto" and "required" send them all.
 */
function toTools(req: ChatRequest): wire.Tool[] | undefined {
  const choice = req.toolChoice?.choice;
  if (choice?.case === "mode" && choice.value === ToolChoice_Mode.NONE) return undefined;
  const tools = choice?.case === "functionName" ? req.tools.filter((t) => t.name === choice.value) : req.tools;
  if (tools.length === 0) return undefined;
  return tools.map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description || undefined, parameters: t.parameters ?? { type: "object", properties: {} } },
  }));
}

/** What this adapter sends upstream of the optional request fields (honoured.ts). */
export const OLLAMA_HONOURS: ReadonlySet<OptionalField> = new Set<OptionalField>(["sampling.top_k", "sampling.seed", "sampling.presence_penalty", "sampling.frequency_penalty"]);

function toOptions(s: ChatRequest["sampling"]): wire.Options | undefined {
  if (!s) return undefined;
  const options: wire.Options = {
    temperature: s.temperature,
    top_p: s.topP,
    top_k: s.topK,
    num_predict: s.maxTokens,
    stop: s.stop.length > 0 ? s.stop : undefined,
    seed: s.seed === undefined ? undefined : Number(s.seed),
    presence_penalty: s.presencePenalty,
    frequency_penalty: s.frequencyPenalty,
  };
  return Object.values(options).some((v) => v !== undefined) ? options : undefined;
}

function toFormat(req: ChatRequest): wire.ChatRequest["format"] {
  const f = req.responseFormat;
  if (f?.type === ResponseFormat_Type.JSON_OBJECT) return "json";
  if (f?.type === ResponseFormat_Type.JSON_SCHEMA) return f.jsonSchema ?? {};
  return undefined;
}

/** The /api/chat body for a request, aimed at the upstream's own model id. `stream` is always explicit. */
export function toChatRequest(req: ChatRequest, upstreamModel: string, stream: boolean): wire.ChatRequest {
  return {
    model: upstreamModel,
    messages: toMessages(req.messages),
    tools: toTools(req),
    stream,
    format: toFormat(req),
    options: toOptions(req.sampling),
  };
}

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
  // message.thinking is the model's reasoning, not its answer: it stays out of the text.
  const message = create(MessageSchema, {
    role: Role.ASSISTANT,
    content: msg?.content ? [{ part: { case: "text", value: msg.content } }] : [],
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

export function toEmbedRequest(req: EmbedRequest, upstreamModel: string): wire.EmbedRequest {
  return { model: upstreamModel, input: req.inputs, dimensions: req.dimensions };
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

