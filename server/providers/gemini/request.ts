// hoosh.v1 requests to Gemini generateContent / batchEmbedContents JSON. The
// only place that knows Gemini's request shapes (answers: response.ts).
import { ResponseFormat_Type, Role, ToolChoice_Mode, type Message, type ToolChoice } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { EmbedRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import type { OptionalField } from "../honoured.js";
import type { ChatRequest } from "../provider.js";
import { argumentsObject } from "../tool-arguments.js";
import { textOf, toParts } from "./content.js";
import { toGeminiSchema } from "./schema.js";
import type * as wire from "./wire.js";

const INT32_MAX = 2 ** 31 - 1;
/** Google's placeholder thoughtSignature for function calls replayed without their real one. */
export const NO_THOUGHT_SIGNATURE = "skip_thought_signature_validator";
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** "gemini-2.0-flash" -> "models/gemini-2.0-flash"; full resource names ("models/…", "tunedModels/…") pass through. */
export function modelResource(model: string): string {
  return /^(models|tunedModels)\//.test(model) ? model : `models/${model}`;
}

/** The URL path of a model method, e.g. "/models/gemini-2.0-flash:generateContent". */
export function modelPath(model: string, method: string): string {
  const [collection, id] = modelResource(model).split(/\/(.*)/s);
  return `/${collection}/${encodeURIComponent(id ?? "")}:${method}`;
}

/** The name of the call a tool result answers: the nearest earlier assistant call with that id. */
function toolNameFor(messages: Message[], i: number): string {
  const id = messages[i]!.toolCallId;
  for (let k = i - 1; k >= 0; k--) {
    const found = messages[k]!.toolCalls.find((c) => c.id === id);
    if (found) return found.name;
  }
  throw invalidArgument(`messages[${i}].tool_call_id`, `${showValue(id)} does not match the id of any tool call in an earlier assistant message`);
}

function toolResponse(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) return parsed;
  } catch {
    // Plain text result.
  }
  return { content: text };
}

export function toContents(messages: Message[]): Pick<wire.GenerateContentRequest, "contents" | "systemInstruction"> {
  const system: wire.Part[] = [];
  const contents: wire.Content[] = [];
  messages.forEach((m, i) => {
    const field = `messages[${i}]`;
    switch (m.role) {
      case Role.SYSTEM:
        system.push({ text: textOf(m.content, field, "system messages") });
        return;
      case Role.ASSISTANT: {
        const calls: wire.Part[] = m.toolCalls.map((c, j) => ({
          functionCall: { name: c.name, args: argumentsObject(c.arguments, `${field}.tool_calls[${j}].arguments`, "gemini") },
        }));
        // Thinking models (Gemini 3) reject replayed calls without the thought signature they
        // came with; hoosh.v1 cannot carry it, so the first call of the turn gets Google's
        // documented placeholder for history without signatures.
        if (calls[0]) calls[0].thoughtSignature = NO_THOUGHT_SIGNATURE;
        const text = m.content.length > 0 ? toParts(m.content, field).filter((p) => calls.length === 0 || p.text !== "") : [];
        contents.push({ role: "model", parts: [...text, ...calls] });
        return;
      }
      case Role.TOOL: {
        const part = { functionResponse: { name: toolNameFor(messages, i), response: toolResponse(textOf(m.content, field, "tool results")) } };
        // Results of one turn's calls travel together in one user turn, as Gemini expects.
        const last = contents.at(-1);
        if (last?.role === "user" && last.parts.every((p) => p.functionResponse)) last.parts.push(part);
        else contents.push({ role: "user", parts: [part] });
        return;
      }
      default:
        contents.push({ role: "user", parts: toParts(m.content, field) });
    }
  });
  return { contents, systemInstruction: system.length > 0 ? { parts: system } : undefined };
}

function toToolConfig(choice: ToolChoice | undefined): wire.GenerateContentRequest["toolConfig"] {
  switch (choice?.choice.case) {
    case "functionName":
      return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.choice.value] } };
    case "mode": {
      const mode = ({ [ToolChoice_Mode.AUTO]: "AUTO", [ToolChoice_Mode.NONE]: "NONE", [ToolChoice_Mode.REQUIRED]: "ANY" } as const)[
        choice.choice.value as ToolChoice_Mode.AUTO | ToolChoice_Mode.NONE | ToolChoice_Mode.REQUIRED
      ];
      return mode ? { functionCallingConfig: { mode } } : undefined;
    }
    default:
      return undefined;
  }
}

/** What this adapter sends upstream of the optional request fields (honoured.ts). */
export const GEMINI_HONOURS: ReadonlySet<OptionalField> = new Set<OptionalField>(["sampling.top_k", "sampling.seed", "sampling.presence_penalty", "sampling.frequency_penalty"]);

function toGenerationConfig(req: ChatRequest): wire.GenerationConfig | undefined {
  const s = req.sampling;
  const config: wire.GenerationConfig = {};
  if (s) {
    config.temperature = s.temperature;
    config.topP = s.topP;
    config.topK = s.topK;
    config.maxOutputTokens = s.maxTokens;
    if (s.stop.length > 0) config.stopSequences = s.stop;
    if (s.seed !== undefined) {
      if (s.seed > INT32_MAX || s.seed < -INT32_MAX - 1) {
        throw invalidArgument("sampling.seed", `${s.seed} is out of range for gemini; allowed: ${-INT32_MAX - 1}..${INT32_MAX}`);
      }
      config.seed = Number(s.seed);
    }
    config.presencePenalty = s.presencePenalty;
    config.frequencyPenalty = s.frequencyPenalty;
  }
  const f = req.responseFormat;
  if (f?.type === ResponseFormat_Type.JSON_OBJECT || f?.type === ResponseFormat_Type.JSON_SCHEMA) config.responseMimeType = "application/json";
  if (f?.type === ResponseFormat_Type.JSON_SCHEMA) config.responseSchema = toGeminiSchema(f.jsonSchema, { ordered: true });
  const set = Object.values(config).some((v) => v !== undefined);
  return set ? config : undefined;
}

function toDeclaration(tool: ChatRequest["tools"][number]): wire.FunctionDeclaration {
  const parameters = toGeminiSchema(tool.parameters);
  // Gemini rejects an OBJECT schema with empty properties: a function without parameters has none.
  const hasParameters = parameters !== undefined && (parameters.properties !== undefined || parameters.anyOf !== undefined);
  return { name: tool.name, description: tool.description || undefined, parameters: hasParameters ? { ...parameters, type: parameters.type ?? "OBJECT" } : undefined };
}

/** The generateContent / streamGenerateContent body for a request. */
export function toGenerateContentRequest(req: ChatRequest): wire.GenerateContentRequest {
  const body: wire.GenerateContentRequest = { ...toContents(req.messages) };
  if (req.tools.length > 0) {
    body.tools = [{ functionDeclarations: req.tools.map(toDeclaration) }];
    body.toolConfig = toToolConfig(req.toolChoice);
  }
  body.generationConfig = toGenerationConfig(req);
  return body;
}

export function toBatchEmbedRequest(req: EmbedRequest): wire.BatchEmbedContentsRequest {
  const model = modelResource(req.model);
  return { requests: req.inputs.map((text) => ({ model, content: { parts: [{ text }] }, outputDimensionality: req.dimensions })) };
}
