// hoosh.v1 requests to Bedrock Converse JSON. Converse differs from the
// hoosh/OpenAI model much like Anthropic's API does: system text is a
// top-level list, tool results are toolResult blocks in a user turn, and turns
// alternate (consecutive same-role messages are merged, tool results first).
// Fields Converse has no counterpart for (seed, penalties, user) are not sent.
import { Role, ToolChoice_Mode, type ContentPart, type Message } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import type { OptionalField } from "../honoured.js";
import type { ChatRequest } from "../provider.js";
import { withJsonTool } from "./json-mode.js";
import { argumentsObject } from "../tool-arguments.js";
import type * as wire from "./wire.js";

const FORMATS = new Map<string, wire.ImageFormat>([
  ["image/png", "png"],
  ["image/jpeg", "jpeg"],
  ["image/jpg", "jpeg"],
  ["image/gif", "gif"],
  ["image/webp", "webp"],
]);
const DATA_URL = /^data:([^;,]+)(?:;[^;,]*)*?;base64,(.*)$/is;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function image(part: Extract<ContentPart["part"], { case: "image" }>["value"], field: string): wire.ContentBlock {
  let mime = part.mimeType;
  let bytes: string;
  if (part.source.case === "data") {
    bytes = Buffer.from(part.source.value).toString("base64");
  } else {
    const m = DATA_URL.exec(part.source.value ?? "");
    // Converse takes image bytes (or S3 locations), never a URL to fetch.
    if (!m) throw invalidArgument(`${field}.image.url`, "bedrock takes images as bytes or base64 data: URLs, not http(s) URLs");
    mime = m[1]!;
    bytes = m[2]!;
  }
  const format = FORMATS.get(mime.toLowerCase());
  if (!format) throw invalidArgument(`${field}.image.mime_type`, `${showValue(mime)} is not an image type bedrock takes; allowed: ${[...FORMATS.keys()].join(", ")}`);
  return { image: { format, source: { bytes } } };
}

function blocks(parts: ContentPart[], field: string): wire.ContentBlock[] {
  const out: wire.ContentBlock[] = [];
  parts.forEach((part, j) => {
    const p = part.part;
    // Converse rejects empty text blocks.
    if (p.case === "text" && p.value !== "") out.push({ text: p.value });
    else if (p.case === "image") out.push(image(p.value, `${field}.content[${j}]`));
    else if (p.case === "audio") throw invalidArgument(`${field}.content[${j}].audio`, "bedrock (Converse) does not take audio input; send text or images");
  });
  return out;
}

function toolResult(m: Message, field: string): wire.ContentBlock {
  const text = blocks(m.content, field).map((b) => ("text" in b ? b.text : "")).join("");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A plain-text result.
  }
  return { toolResult: { toolUseId: m.toolCallId, content: [isObject(json) ? { json } : { text: text || "(empty)" }] } };
}

function toTurn(m: Message, i: number): wire.Message {
  const field = `messages[${i}]`;
  if (m.role === Role.TOOL) return { role: "user", content: [toolResult(m, field)] };
  const content = blocks(m.content, field);
  if (m.role !== Role.ASSISTANT) return { role: "user", content };
  m.toolCalls.forEach((c, j) => content.push({ toolUse: { toolUseId: c.id, name: c.name, input: argumentsObject(c.arguments, `${field}.tool_calls[${j}].arguments`, "bedrock") } }));
  return { role: "assistant", content };
}

export function toConversation(messages: Message[]): Pick<wire.ConverseRequest, "messages" | "system"> {
  const system: { text: string }[] = [];
  const turns: wire.Message[] = [];
  messages.forEach((m, i) => {
    if (m.role === Role.SYSTEM) {
      for (const b of blocks(m.content, `messages[${i}]`)) {
        if (!("text" in b)) throw invalidArgument(`messages[${i}].content`, "bedrock takes only text in system messages");
        system.push(b);
      }
      return;
    }
    const turn = toTurn(m, i);
    if (turn.content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  });
  for (const t of turns) {
    if (t.role === "user") t.content = [...t.content.filter((b) => "toolResult" in b), ...t.content.filter((b) => !("toolResult" in b))];
  }
  return system.length > 0 ? { messages: turns, system } : { messages: turns };
}

function toolConfig(req: ChatRequest, history: wire.Message[]): wire.ConverseRequest["toolConfig"] {
  if (req.tools.length === 0) return undefined;
  const tools = req.tools.map((t) => ({
    toolSpec: { name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: { json: t.parameters ?? { type: "object", properties: {} } } },
  }));
  const choice = req.toolChoice?.choice;
  if (choice?.case === "functionName") return { tools, toolChoice: { tool: { name: choice.value } } };
  if (choice?.case === "mode" && choice.value === ToolChoice_Mode.REQUIRED) return { tools, toolChoice: { any: {} } };
  if (choice?.case === "mode" && choice.value === ToolChoice_Mode.NONE) {
    // Converse has no "none": leave the tools out, unless the history uses them (Converse then requires them).
    const used = history.some((m) => m.content.some((b) => "toolUse" in b || "toolResult" in b));
    return used ? { tools } : undefined;
  }
  return { tools, toolChoice: { auto: {} } };
}

export interface ConversePlan {
  body: wire.ConverseRequest;
  /** The JSON-mode helper tool (json-mode.ts), whose input is turned back into text. */
  jsonTool?: string;
}

/** What this adapter sends upstream of the optional request fields (honoured.ts): none of them. */
export const BEDROCK_HONOURS: ReadonlySet<OptionalField> = new Set<OptionalField>();

/** The Converse / ConverseStream body for a request (the model id is in the path). */
export function toConverseRequest(req: ChatRequest): ConversePlan {
  const body: wire.ConverseRequest = toConversation(req.messages);
  const s = req.sampling;
  const inference: NonNullable<wire.ConverseRequest["inferenceConfig"]> = {};
  if (s?.maxTokens !== undefined) inference.maxTokens = s.maxTokens;
  if (s?.temperature !== undefined) inference.temperature = s.temperature;
  if (s?.topP !== undefined) inference.topP = s.topP;
  if (s && s.stop.length > 0) inference.stopSequences = s.stop;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  const { config, jsonTool } = withJsonTool(req, toolConfig(req, body.messages));
  if (config) body.toolConfig = config;
  return jsonTool ? { body, jsonTool } : { body };
}

/** The URL path of a model operation: model ids and ARNs are one path segment. */
export function modelPath(model: string, operation: "converse" | "converse-stream" | "invoke"): string {
  return `/model/${encodeURIComponent(model)}/${operation}`;
}
