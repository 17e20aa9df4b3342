// Deterministic replies of the fake Ollama: echo text, tool calls, JSON
// format, thinking, num_predict truncation and token counts.
import { sampleArguments, splitN, wordChunks } from "../openai/reply.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;

export interface ToolCall {
  function: { index: number; name: string; arguments: Json };
}

export interface Reply {
  /** Reasoning pieces (one per stream line), sent before the answer. */
  thinking: string[];
  /** Answer pieces (one per stream line). */
  pieces: string[];
  /** Sent whole, in one line. */
  toolCalls: ToolCall[];
  doneReason: "stop" | "length";
  promptEvalCount: number;
  evalCount: number;
}

/** The tool to call: "call tool" in the last user message, preferring a tool it names. */
function pickTool(body: Json, lastIsUser: boolean, lastUserText: string): Json | null {
  const functions = (Array.isArray(body.tools) ? body.tools : []).filter(isObject).map((t) => t.function).filter(isObject);
  if (functions.length === 0 || !lastIsUser || !lastUserText.toLowerCase().includes("call tool")) return null;
  return functions.find((f) => typeof f.name === "string" && lastUserText.includes(f.name)) ?? functions[0] ?? null;
}

/** A JSON text for `format`: an echo object for "json", sample values for a schema. */
function formatted(format: unknown, lastUserText: string): string | null {
  if (format === "json") return JSON.stringify({ echo: lastUserText });
  if (isObject(format)) return sampleArguments(format);
  return null;
}

export function planReply(body: Json, opts: { longStream?: boolean; think?: boolean } = {}): Reply {
  const messages = (body.messages as unknown[]).filter(isObject);
  const users = messages.filter((m) => m.role === "user");
  const last = users[users.length - 1];
  const lastUserText = typeof last?.content === "string" ? last.content : "";
  const lastIsUser = messages[messages.length - 1]?.role === "user";
  const options = isObject(body.options) ? body.options : {};

  const thinking = opts.think || body.think === true ? ["Thinking", " about", " it."] : [];
  let pieces: string[] = [];
  let toolCalls: ToolCall[] = [];
  let doneReason: Reply["doneReason"] = "stop";
  const tool = pickTool(body, lastIsUser, lastUserText);
  const json = formatted(body.format, lastUserText);
  if (tool) {
    toolCalls = [{ function: { index: 0, name: String(tool.name), arguments: JSON.parse(sampleArguments(tool.parameters)) as Json } }];
  } else if (opts.longStream) {
    // 1200 lines; at 50 ms spacing that is ~60 s of streaming.
    pieces = Array.from({ length: 1200 }, (_, i) => (i === 0 ? "tick0" : ` tick${i}`));
  } else if (json !== null) {
    pieces = splitN(json, 3);
  } else {
    pieces = wordChunks("echo: " + lastUserText);
    const limit = options.num_predict;
    if (typeof limit === "number" && limit >= 1 && limit < pieces.length) {
      pieces = pieces.slice(0, limit);
      doneReason = "length";
    }
  }
  const promptEvalCount = messages.reduce((n, m) => n + words(typeof m.content === "string" ? m.content : "") + 3, 0);
  return { thinking, pieces, toolCalls, doneReason, promptEvalCount, evalCount: thinking.length + pieces.length + toolCalls.length * 8 };
}
