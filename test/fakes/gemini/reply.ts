// Deterministic Gemini answers: echo text, function calls, thoughts, safety
// blocks and usage, planned from a (validated) generateContent body.
import type { IncomingMessage } from "node:http";
import { headerInt } from "../openai/http.js";
import { wordChunks } from "../openai/reply.js";
import { field, isObject } from "./validate.js";

type Json = Record<string, unknown>;

export interface FunctionCall {
  name: string;
  args: Json;
}

export interface Reply {
  /** Text pieces, one per stream chunk (empty for calls and blocks). */
  pieces: string[];
  /** A reasoning summary sent as a thought part before the answer. */
  thought: string | null;
  calls: FunctionCall[];
  finishReason: "STOP" | "MAX_TOKENS" | "SAFETY";
  /** "prompt": promptFeedback.blockReason, no candidates; "answer": a SAFETY candidate with no content. */
  blocked: "prompt" | "answer" | null;
  usage: Json;
}

export const SAFETY_RATINGS = (blocked: string | null): Json[] =>
  ["HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT"].map((category) =>
    category === blocked ? { category, probability: "HIGH", blocked: true } : { category, probability: "NEGLIGIBLE" },
  );

const parts = (content: unknown): Json[] => (isObject(content) && Array.isArray(content.parts) ? content.parts.filter(isObject) : []);
const textOf = (content: unknown): string => parts(content).map((p) => (typeof p.text === "string" && p.thought !== true ? p.text : "")).join("");
const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;

function sampleValue(schema: unknown): unknown {
  if (!isObject(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (String(schema.type ?? "").toUpperCase()) {
    case "STRING": return "Paris";
    case "NUMBER": case "INTEGER": return 42;
    case "BOOLEAN": return true;
    case "ARRAY": return [];
    case "OBJECT": return {};
    default: return null;
  }
}

function sampleArgs(parameters: unknown): Json {
  const props = isObject(parameters) && isObject(parameters.properties) ? parameters.properties : {};
  return Object.fromEntries(Object.entries(props).map(([key, schema]) => [key, sampleValue(schema)]));
}

/** "call tool" calls the first allowed function; "call all tools" every declared one; mode ANY always calls. */
function plannedCalls(body: Json, lastText: string, lastIsResult: boolean): FunctionCall[] {
  const declarations = (Array.isArray(body.tools) ? body.tools.filter(isObject) : []).flatMap((t) => {
    const d = field(t, "functionDeclarations");
    return Array.isArray(d) ? d.filter(isObject) : [];
  });
  const config = isObject(field(body, "toolConfig")) ? field(field(body, "toolConfig") as Json, "functionCallingConfig") : undefined;
  const mode = isObject(config) ? String(config.mode ?? "AUTO") : "AUTO";
  const allowed = isObject(config) && Array.isArray(field(config, "allowedFunctionNames")) ? (field(config, "allowedFunctionNames") as string[]) : [];
  if (declarations.length === 0 || mode === "NONE" || lastIsResult) return [];
  const candidates = allowed.length > 0 ? declarations.filter((d) => allowed.includes(String(d.name))) : declarations;
  const text = lastText.toLowerCase();
  const chosen = text.includes("call all tools") ? candidates : mode === "ANY" || text.includes("call tool") ? candidates.slice(0, 1) : [];
  return chosen.map((d) => ({ name: String(d.name), args: sampleArgs(d.parameters) }));
}

export function planReply(body: Json, req: IncomingMessage, opts: { longStream?: boolean } = {}): Reply {
  const contents = (body.contents as unknown[]).filter(isObject);
  const last = contents.at(-1);
  const results = parts(last).map((p) => field(p, "functionResponse")).filter(isObject);
  const lastUser = [...contents].reverse().find((c) => c.role !== "model" && textOf(c) !== "");
  const lastText = textOf(lastUser);
  const generation = isObject(field(body, "generationConfig")) ? (field(body, "generationConfig") as Json) : {};
  const promptTokens = contents.reduce((n, c) => n + words(textOf(c)) + 3, 0) + words(textOf(field(body, "systemInstruction")));
  const cached = Math.min(headerInt(req, "x-fake-cached-tokens") ?? 0, promptTokens);
  const usage = (candidates: number, thoughts: number): Json => ({
    promptTokenCount: promptTokens,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    ...(candidates > 0 ? { candidatesTokenCount: candidates } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    totalTokenCount: promptTokens + candidates + thoughts,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokens }],
  });
  const base = { thought: null, calls: [], finishReason: "STOP" as const, blocked: null };

  if (lastText.toLowerCase().includes("blocked") && results.length === 0) return { ...base, pieces: [], blocked: "prompt", usage: usage(0, 0) };
  if (lastText.toLowerCase().includes("unsafe") && results.length === 0) return { ...base, pieces: [], finishReason: "SAFETY", blocked: "answer", usage: usage(0, 0) };
  const thought = lastText.toLowerCase().includes("please think") ? "Thinking about what the user asked for." : null;
  const thoughts = thought ? words(thought) : 0;

  const calls = plannedCalls(body, lastText, results.length > 0);
  if (calls.length > 0) return { ...base, pieces: [], thought, calls, usage: usage(calls.length * 5, thoughts) };

  let pieces: string[];
  let finishReason: Reply["finishReason"] = "STOP";
  if (opts.longStream) {
    // 1200 chunks; at the default 50 ms spacing that is ~60 s of streaming.
    pieces = Array.from({ length: 1200 }, (_, i) => (i === 0 ? "tick0" : ` tick${i}`));
  } else {
    const answer =
      results.length > 0
        ? results.map((r) => `result of ${String(r.name)}: ${JSON.stringify(r.response)}`).join("; ")
        : `echo: ${lastText}`;
    const text = field(generation, "responseMimeType") === "application/json" ? JSON.stringify({ echo: answer }) : answer;
    pieces = wordChunks(text);
    const limit = field(generation, "maxOutputTokens");
    if (typeof limit === "number" && limit >= 1 && limit < pieces.length) {
      pieces = pieces.slice(0, limit);
      finishReason = "MAX_TOKENS";
    }
  }
  return { ...base, pieces, thought, finishReason, usage: usage(pieces.length, thoughts) };
}
