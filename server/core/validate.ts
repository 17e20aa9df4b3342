// Checks of Generate/GenerateStream/Embed requests at the edge of the core.
// Every failure is InvalidArgument naming the field (proto names), the value
// and what is allowed.
import { ResponseFormat_Type, Role, RoutingStrategy, ToolChoice_Mode, type ContentPart, type Message, type RoutingHints } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { EmbedRequest } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { ChatRequest } from "../providers/provider.js";
import { invalidArgument, showValue } from "./errors.js";

export interface RequestLimits {
  maxMessages: number;
  maxEmbedInputs: number;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** JSON Schemas deeper than this are refused: real ones are shallow, and deep ones overflow encoders. */
const MAX_SCHEMA_DEPTH = 64;

/** Nesting depth of a JSON value, stopping early once past the limit (iterative: no recursion to overflow). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    deepest = Math.max(deepest, d);
    if (deepest > MAX_SCHEMA_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** Seeds travel as JSON numbers upstream: keep them exact. */
const MAX_SAFE_SEED = BigInt(Number.MAX_SAFE_INTEGER);
const ROLES = "ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT, ROLE_TOOL";
const STRATEGIES = "ROUTING_STRATEGY_PRIORITY, ROUTING_STRATEGY_ROUND_ROBIN, ROUTING_STRATEGY_LOWEST_LATENCY, ROUTING_STRATEGY_DIRECT, ROUTING_STRATEGY_WEIGHTED";

function checkModel(model: string): void {
  if (model.trim() === "") throw invalidArgument("model", "is required (e.g. \"gpt-4o-mini\")");
  if (model.length > 256) throw invalidArgument("model", `is ${model.length} characters long; at most 256 are allowed`);
}

function checkRange(field: string, value: number | undefined, min: number, max: number, minExclusive = false): void {
  if (value === undefined) return;
  const tooLow = minExclusive ? value <= min : value < min;
  if (!Number.isFinite(value) || tooLow || value > max) {
    throw invalidArgument(field, `${showValue(value)} is out of range; allowed: ${minExclusive ? `>${min}` : min}..${max}`);
  }
}

function checkPart(field: string, part: ContentPart): void {
  const p = part.part;
  if (p.case === undefined) throw invalidArgument(field, "is empty; set one of text, image, audio");
  if (p.case === "image") {
    const img = p.value;
    if (img.source.case === undefined) throw invalidArgument(`${field}.image`, "needs url or data");
    if (img.source.case === "url" && !/^(https?:|data:image\/)/i.test(img.source.value)) {
      throw invalidArgument(`${field}.image.url`, `${showValue(img.source.value)} is not allowed; use an http(s) URL or a data:image/... URL`);
    }
    if (img.source.case === "data" && !img.mimeType.startsWith("image/")) {
      throw invalidArgument(`${field}.image.mime_type`, `${showValue(img.mimeType)} is not an image MIME type (e.g. "image/png")`);
    }
  }
  if (p.case === "audio" && p.value.data.length === 0) throw invalidArgument(`${field}.audio.data`, "is empty");
}

function checkMessage(field: string, m: Message): void {
  if (!(m.role in Role) || m.role === Role.UNSPECIFIED) {
    throw invalidArgument(`${field}.role`, `${Role[m.role] ? `ROLE_${Role[m.role]}` : m.role} is not allowed; use one of: ${ROLES}`);
  }
  if (m.content.length === 0 && m.toolCalls.length === 0) {
    throw invalidArgument(`${field}.content`, "is empty; a message needs at least one content part (or tool_calls for an assistant)");
  }
  m.content.forEach((part, j) => checkPart(`${field}.content[${j}]`, part));
  if (m.toolCalls.length > 0 && m.role !== Role.ASSISTANT) {
    throw invalidArgument(`${field}.tool_calls`, "are only allowed on ROLE_ASSISTANT messages");
  }
  m.toolCalls.forEach((c, j) => {
    if (!c.id) throw invalidArgument(`${field}.tool_calls[${j}].id`, "is required");
    if (!TOOL_NAME.test(c.name)) throw invalidArgument(`${field}.tool_calls[${j}].name`, `${showValue(c.name)} must match ${TOOL_NAME}`);
  });
  if (m.role === Role.TOOL && !m.toolCallId) throw invalidArgument(`${field}.tool_call_id`, "is required on ROLE_TOOL messages");
}

export function validateChatRequest(req: ChatRequest, limits: RequestLimits): void {
  checkModel(req.model);
  checkRoutingHints(req.routing);
  if (req.messages.length === 0) throw invalidArgument("messages", "is empty; at least one message is required");
  if (req.messages.length > limits.maxMessages) {
    throw invalidArgument("messages", `has ${req.messages.length} messages; at most ${limits.maxMessages} are allowed`);
  }
  req.messages.forEach((m, i) => checkMessage(`messages[${i}]`, m));

  const names = new Set<string>();
  req.tools.forEach((t, i) => {
    if (!TOOL_NAME.test(t.name)) throw invalidArgument(`tools[${i}].name`, `${showValue(t.name)} must match ${TOOL_NAME}`);
    if (t.parameters && depthOf(t.parameters) > MAX_SCHEMA_DEPTH) throw invalidArgument(`tools[${i}].parameters`, `is nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
    if (names.has(t.name)) throw invalidArgument(`tools[${i}].name`, `${showValue(t.name)} is defined twice`);
    names.add(t.name);
  });
  const choice = req.toolChoice?.choice;
  if (req.tools.length === 0 && (choice?.case === "functionName" || (choice?.case === "mode" && choice.value === ToolChoice_Mode.REQUIRED))) {
    throw invalidArgument("tool_choice", "requires at least one entry in tools");
  }
  if (choice?.case === "functionName" && !names.has(choice.value)) {
    throw invalidArgument("tool_choice.function_name", `${showValue(choice.value)} is not one of the tools: ${[...names].join(", ") || "(none defined)"}`);
  }

  const s = req.sampling;
  if (s) {
    checkRange("sampling.temperature", s.temperature, 0, 2);
    checkRange("sampling.top_p", s.topP, 0, 1, true);
    checkRange("sampling.presence_penalty", s.presencePenalty, -2, 2);
    checkRange("sampling.frequency_penalty", s.frequencyPenalty, -2, 2);
    if (s.seed !== undefined && (s.seed > MAX_SAFE_SEED || s.seed < -MAX_SAFE_SEED)) {
      throw invalidArgument("sampling.seed", `${s.seed} is out of range; allowed: -${MAX_SAFE_SEED}..${MAX_SAFE_SEED}`);
    }
    if (s.maxTokens !== undefined && s.maxTokens < 1) throw invalidArgument("sampling.max_tokens", "0 is not allowed; use at least 1 or leave it unset");
    if (s.stop.length > 4) throw invalidArgument("sampling.stop", `has ${s.stop.length} sequences; at most 4 are allowed`);
    s.stop.forEach((seq, i) => {
      if (seq === "") throw invalidArgument(`sampling.stop[${i}]`, "is empty; stop sequences need at least one character");
    });
  }

  const f = req.responseFormat;
  if (f) {
    if (!(f.type in ResponseFormat_Type)) throw invalidArgument("response_format.type", `${f.type} is not one of: TYPE_TEXT, TYPE_JSON_OBJECT, TYPE_JSON_SCHEMA`);
    if (f.type === ResponseFormat_Type.JSON_SCHEMA && !f.jsonSchema) throw invalidArgument("response_format.json_schema", "is required with TYPE_JSON_SCHEMA");
    if (f.jsonSchema && depthOf(f.jsonSchema) > MAX_SCHEMA_DEPTH) throw invalidArgument("response_format.json_schema", `is nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
  }
}

/** Most fallback models one request may name, and the longest name (model or provider) in routing. */
export const MAX_FALLBACK_MODELS = 8;
export const MAX_ROUTING_NAME = 256;

/**
 * Bounds what a caller may ask the router for, before anything iterates it:
 * a request reaches at most 1 + MAX_FALLBACK_MODELS models (and their aliases).
 * The auth layer calls it first too (auth/authorize.ts), so a huge list is
 * refused before any per-model check runs.
 */
export function checkRoutingHints(hints: Pick<RoutingHints, "provider" | "strategy" | "fallbackModels"> | undefined): void {
  if (!hints) return;
  if (hints.strategy !== undefined && !(hints.strategy in RoutingStrategy)) {
    throw invalidArgument("routing.strategy", `${hints.strategy} is not one of: ${STRATEGIES}`);
  }
  if (hints.provider.length > MAX_ROUTING_NAME) {
    throw invalidArgument("routing.provider", `is ${hints.provider.length} characters long; at most ${MAX_ROUTING_NAME} are allowed`);
  }
  const fallbacks = hints.fallbackModels;
  if (fallbacks.length > MAX_FALLBACK_MODELS) {
    throw invalidArgument("routing.fallback_models", `has ${fallbacks.length} models; at most ${MAX_FALLBACK_MODELS} are allowed`);
  }
  fallbacks.forEach((m, i) => {
    if (m.trim() === "") throw invalidArgument(`routing.fallback_models[${i}]`, "is empty; name a model");
    if (m.length > MAX_ROUTING_NAME) throw invalidArgument(`routing.fallback_models[${i}]`, `is ${m.length} characters long; at most ${MAX_ROUTING_NAME} are allowed`);
  });
}

export function validateEmbedRequest(req: EmbedRequest, limits: RequestLimits): void {
  checkModel(req.model);
  checkRoutingHints(req.routing);
  if (req.inputs.length === 0) throw invalidArgument("inputs", "is empty; at least one input is required");
  if (req.inputs.length > limits.maxEmbedInputs) {
    throw invalidArgument("inputs", `has ${req.inputs.length} inputs; at most ${limits.maxEmbedInputs} are allowed`);
  }
  req.inputs.forEach((text, i) => {
    if (text === "") throw invalidArgument(`inputs[${i}]`, "is empty; every input needs text");
  });
  if (req.dimensions !== undefined && req.dimensions < 1) throw invalidArgument("dimensions", "0 is not allowed; use at least 1 or leave it unset");
}
