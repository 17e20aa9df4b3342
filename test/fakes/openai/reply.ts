// Deterministic reply planning for chat completions: text, tool calls, usage.
import type { IncomingMessage } from "node:http";
import { headerInt, randomId } from "./http.js";

type Json = Record<string, unknown>;

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Reply {
  /** Text pieces (one per stream chunk) or, for tool calls, argument pieces. */
  pieces: string[];
  toolCall: ToolCall | null;
  finishReason: "stop" | "length" | "tool_calls";
  usage: Usage;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** String content, or text parts concatenated (non-text parts ignored). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p) => (isObject(p) && p.type === "text" && typeof p.text === "string" ? p.text : ""))
    .join("");
}

const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** Word-ish pieces with leading whitespace (" world"); joins back to `text` exactly. */
export function wordChunks(text: string): string[] {
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const rest = text.slice(pieces.join("").length);
  if (rest && pieces.length > 0) pieces[pieces.length - 1] += rest;
  else if (rest) pieces.push(rest);
  return pieces;
}

/** Splits `text` into `n` near-equal pieces (by code point); joins back exactly. */
export function splitN(text: string, n: number): string[] {
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(n, chars.length));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(chars.slice(Math.floor((i * chars.length) / count), Math.floor(((i + 1) * chars.length) / count)).join(""));
  }
  return out;
}

function sampleValue(schema: unknown): unknown {
  if (!isObject(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case "string": return "Paris";
    case "number": case "integer": return 42;
    case "boolean": return true;
    case "array": return [];
    case "object": return {};
    default: return null;
  }
}

/** Arguments JSON for a tool: every declared property gets a sample value. */
export function sampleArguments(parameters: unknown): string {
  const props = isObject(parameters) && isObject(parameters.properties) ? parameters.properties : {};
  const args: Json = {};
  for (const [key, schema] of Object.entries(props)) args[key] = sampleValue(schema);
  return JSON.stringify(args);
}

function pickTool(body: Json, lastIsUser: boolean, lastUserText: string): Json | null {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const functions = tools.map((t) => t.function).filter(isObject);
  const choice = body.tool_choice;
  if (functions.length === 0 || choice === "none") return null;
  if (isObject(choice) && isObject(choice.function)) {
    const name = choice.function.name;
    return functions.find((f) => f.name === name) ?? null;
  }
  const wanted = choice === "required" || (lastIsUser && lastUserText.toLowerCase().includes("call tool"));
  return wanted ? (functions[0] ?? null) : null;
}

export function planReply(body: Json, req: IncomingMessage, opts: { longStream?: boolean } = {}): Reply {
  const messages = (body.messages as unknown[]).filter(isObject);
  const users = messages.filter((m) => m.role === "user");
  const lastUserText = contentText(users[users.length - 1]?.content);
  const lastIsUser = messages[messages.length - 1]?.role === "user";
  const forcedChunks = headerInt(req, "x-fake-chunks");

  let pieces: string[];
  let toolCall: ToolCall | null = null;
  let finishReason: Reply["finishReason"] = "stop";
  const tool = pickTool(body, lastIsUser, lastUserText);
  if (tool) {
    const args = sampleArguments(tool.parameters);
    toolCall = { id: randomId("call_"), name: String(tool.name), arguments: args };
    pieces = splitN(args, forcedChunks ?? 4);
    finishReason = "tool_calls";
  } else if (opts.longStream) {
    // 1200 chunks; at the default 50 ms spacing that is ~60 s of streaming.
    pieces = Array.from({ length: 1200 }, (_, i) => (i === 0 ? "tick0" : ` tick${i}`));
  } else {
    const text = "echo: " + lastUserText;
    pieces = forcedChunks ? splitN(text, forcedChunks) : wordChunks(text);
    const limit = body.max_completion_tokens ?? body.max_tokens;
    if (typeof limit === "number" && limit >= 1 && limit < pieces.length) {
      pieces = pieces.slice(0, limit);
      finishReason = "length";
    }
  }

  const promptTokens = messages.reduce((n, m) => n + words(contentText(m.content)) + 3, 0);
  const reasoning = headerInt(req, "x-fake-reasoning-tokens") ?? 0;
  const cached = Math.min(headerInt(req, "x-fake-cached-tokens") ?? 0, promptTokens);
  const completionTokens = pieces.length + reasoning;
  return {
    pieces,
    toolCall,
    finishReason,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: reasoning,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  };
}
