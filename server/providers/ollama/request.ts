// hoosh.v1 requests -> Ollama /api/chat and /api/embed JSON (the conversation is
// messages.ts; answers are response.ts).
import { ResponseFormat_Type, ToolChoice_Mode } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { EmbedRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
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

export function toEmbedRequest(req: EmbedRequest, upstreamModel: string): wire.EmbedRequest {
  return { model: upstreamModel, input: req.inputs, dimensions: req.dimensions };
}
