// hoosh.v1 requests → the in-process engine's options (results: response.ts). Sampling defaults are
// llama.cpp's own (temperature 0.8, top_k 40, top_p 0.95, min_p 0.05) so a request without
// settings behaves as it would in llama-server; a model's config may lower its temperature
// (local.temperature, like an Ollama Modelfile's PARAMETER temperature).
import { Code, ConnectError } from "@connectrpc/connect";
import { ResponseFormat_Type, Role, ToolChoice_Mode } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import type { ChatModelFunctions, ChatOptions, OutputFormat, Sampling } from "../../engines/llm/types.js";
import type { ChatRequest } from "../provider.js";
import { toHistory } from "./history.js";

export const SAMPLING_DEFAULTS = { temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05 } as const;

export type EngineRequest = Omit<ChatOptions, "signal" | "onText" | "onToolCall">;

/** Checks a value against the engine's range; names the field and what is allowed. */
function inRange(field: string, value: number | undefined, min: number, max: number, minExclusive = false): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || (minExclusive ? value <= min : value < min) || value > max) {
    throw invalidArgument(field, `${showValue(value)} is out of the local engine's range; allowed: ${minExclusive ? `>${min}` : min}..${max}`);
  }
  return value;
}

function toSampling(req: ChatRequest, defaultTemperature: number): Sampling {
  const s = req.sampling;
  return {
    temperature: inRange("sampling.temperature", s?.temperature, 0, 2) ?? defaultTemperature,
    topP: inRange("sampling.top_p", s?.topP, 0, 1, true) ?? SAMPLING_DEFAULTS.topP,
    topK: SAMPLING_DEFAULTS.topK,
    minP: SAMPLING_DEFAULTS.minP,
    // llama.cpp seeds are uint32: larger or negative seeds wrap (the same seed still gives the same text).
    seed: s?.seed === undefined ? undefined : Number(BigInt.asUintN(32, s.seed)),
    // llama.cpp penalties only lower probabilities: 0..1 (OpenAI's negative values have no equivalent).
    presencePenalty: inRange("sampling.presence_penalty", s?.presencePenalty, 0, 1),
    frequencyPenalty: inRange("sampling.frequency_penalty", s?.frequencyPenalty, 0, 1),
  };
}

function toFormat(req: ChatRequest): OutputFormat {
  const f = req.responseFormat;
  if (f?.type === ResponseFormat_Type.JSON_OBJECT) return { kind: "json" };
  if (f?.type === ResponseFormat_Type.JSON_SCHEMA) {
    if (!f.jsonSchema) throw invalidArgument("response_format.json_schema", "is required with TYPE_JSON_SCHEMA");
    return { kind: "json-schema", schema: f.jsonSchema };
  }
  return { kind: "text" };
}

/**
 * Tools go through node-llama-cpp's function calling, which works with every chat template
 * (templates without native tool syntax get a generic one, described in the system prompt);
 * the arguments are grammar-constrained to each tool's JSON schema. The model decides whether
 * to call: tool_choice REQUIRED or a named function cannot be forced, and is refused.
 */
function toFunctions(req: ChatRequest, model: string): ChatModelFunctions | undefined {
  const choice = req.toolChoice?.choice;
  if (req.tools.length === 0 || (choice?.case === "mode" && choice.value === ToolChoice_Mode.NONE)) return undefined;
  if (choice?.case === "functionName" || (choice?.case === "mode" && choice.value === ToolChoice_Mode.REQUIRED)) {
    throw new ConnectError(
      `tool_choice: local model "${model}" cannot be forced to call a tool (${choice.case === "functionName" ? `function_name ${JSON.stringify(choice.value)}` : "MODE_REQUIRED"}); use MODE_AUTO or MODE_NONE`,
      Code.FailedPrecondition,
    );
  }
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const t of req.tools) {
    const params = t.parameters && Object.keys(t.parameters).length > 0 ? (t.parameters as ChatModelFunctions[string]["params"]) : undefined;
    functions[t.name] = { ...(t.description && { description: t.description }), ...(params && { params }) };
  }
  return functions;
}

export function toEngineRequest(req: ChatRequest, model: string, defaultMaxTokens: number, defaultTemperature: number = SAMPLING_DEFAULTS.temperature): EngineRequest {
  const functions = toFunctions(req, model);
  const format = toFormat(req);
  if (functions && format.kind !== "text") {
    throw invalidArgument("response_format", `cannot be combined with tools on local model "${model}"; send one or the other`);
  }
  return {
    history: toHistory(req.messages, model),
    functions,
    format,
    sampling: toSampling(req, defaultTemperature),
    maxTokens: req.sampling?.maxTokens ?? defaultMaxTokens,
    stop: req.sampling?.stop ?? [],
  };
}
