// Deterministic reply planning for the fake Messages API: which content
// blocks to answer with (thinking, text, tool_use), stop reason and usage.
//
// Tools: tool_choice "tool" calls that tool; "any" calls the first tool when
// the last user text says "call tool", else the LAST tool (hoosh appends its
// JSON-mode tool last, so a JSON request gets a JSON answer); "auto" (or none
// given) calls the first tool when the text says "call tool", every tool for
// "call all tools" (unless disable_parallel_tool_use), after a short text.
import type { IncomingMessage } from "node:http";
import { sampleArguments, splitN, wordChunks } from "../openai/reply.js";
import { header, headerInt, randomId } from "./http.js";
import { blocksOf } from "./validate.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export type PlannedBlock =
  | { type: "thinking"; pieces: string[]; signature: string }
  | { type: "text"; pieces: string[] }
  | { type: "tool_use"; id: string; name: string; input: Json; pieces: string[] };

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export interface Reply {
  blocks: PlannedBlock[];
  stopReason: "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";
  stopSequence: string | null;
  usage: Usage;
}

const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** All text of a content value, tool results included (for token counts). */
function textOf(content: unknown): string {
  return blocksOf(content)
    .map((b) => (b.type === "text" ? String(b.text) : b.type === "tool_result" ? textOf(b.content) : ""))
    .join(" ");
}

function toolInput(tool: Json, lastUserText: string): Json {
  const schema = isObject(tool.input_schema) ? tool.input_schema : {};
  // A schema without properties (JSON-object mode) still gets a recognisable answer.
  if (!isObject(schema.properties) || Object.keys(schema.properties).length === 0) return { echo: lastUserText };
  return JSON.parse(sampleArguments(schema)) as Json;
}

function pickTools(body: Json, lastIsUser: boolean, text: string): Json[] {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const choice = isObject(body.tool_choice) ? body.tool_choice : { type: "auto" };
  if (tools.length === 0 || choice.type === "none") return [];
  const all = lastIsUser && text.toLowerCase().includes("call all tools");
  const asked = all || (lastIsUser && text.toLowerCase().includes("call tool"));
  if (choice.type === "tool") return tools.filter((t) => t.name === choice.name).slice(0, 1);
  if (choice.type === "any") return [asked ? tools[0]! : tools[tools.length - 1]!];
  if (all && choice.disable_parallel_tool_use !== true) return tools;
  return asked ? [tools[0]!] : [];
}

function cutAtStop(text: string, stops: unknown): { text: string; stop: string | null } {
  let best: { at: number; stop: string } | null = null;
  for (const s of Array.isArray(stops) ? stops : []) {
    const at = typeof s === "string" && s ? text.indexOf(s) : -1;
    if (at >= 0 && (!best || at < best.at)) best = { at, stop: s as string };
  }
  return best ? { text: text.slice(0, best.at), stop: best.stop } : { text, stop: null };
}

export function planReply(body: Json, req: IncomingMessage, opts: { longStream?: boolean } = {}): Reply {
  const messages = (body.messages as unknown[]).filter(isObject);
  const last = messages[messages.length - 1];
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  // The user's own words; a turn of tool results alone is echoed by its results.
  const lastUserText = textOf(blocksOf(lastUser?.content).filter((b) => b.type === "text")) || textOf(lastUser?.content);
  const forcedChunks = headerInt(req, "x-fake-chunks");
  const blocks: PlannedBlock[] = [];
  let stopReason: Reply["stopReason"] = "end_turn";
  let stopSequence: string | null = null;

  const thinking = header(req, "x-fake-thinking");
  if (thinking) blocks.push({ type: "thinking", pieces: wordChunks(thinking), signature: randomId("sig_", 32) });

  const forced = isObject(body.tool_choice) && (body.tool_choice.type === "any" || body.tool_choice.type === "tool");
  const tools = pickTools(body, last?.role === "user", lastUserText);
  if (tools.length > 0) {
    // Claude explains itself before an unforced call; a forced call has no text.
    if (!forced) blocks.push({ type: "text", pieces: wordChunks(`I'll call ${tools.map((t) => String(t.name)).join(" and ")}.`) });
    for (const tool of tools) {
      const input = toolInput(tool, lastUserText);
      blocks.push({ type: "tool_use", id: randomId("toolu_01", 22), name: String(tool.name), input, pieces: splitN(JSON.stringify(input), forcedChunks ?? 4) });
    }
    stopReason = "tool_use";
  } else if (opts.longStream) {
    // 1200 deltas; at 50 ms spacing that is ~60 s of streaming.
    blocks.push({ type: "text", pieces: Array.from({ length: 1200 }, (_, i) => (i === 0 ? "tick0" : ` tick${i}`)) });
  } else {
    const cut = cutAtStop(`echo: ${lastUserText}`, body.stop_sequences);
    let pieces = forcedChunks ? splitN(cut.text, forcedChunks) : wordChunks(cut.text);
    if (cut.stop !== null) [stopReason, stopSequence] = ["stop_sequence", cut.stop];
    const limit = body.max_tokens as number;
    if (pieces.length > limit) [pieces, stopReason, stopSequence] = [pieces.slice(0, limit), "max_tokens", null];
    blocks.push({ type: "text", pieces });
  }

  const system = typeof body.system === "string" ? body.system : textOf(body.system);
  const prompt = messages.reduce((n, m) => n + words(textOf(m.content)) + 3, words(system));
  const read = Math.min(headerInt(req, "x-fake-cache-read") ?? 0, prompt);
  const created = Math.min(headerInt(req, "x-fake-cache-creation") ?? 0, prompt - read);
  return {
    blocks,
    stopReason,
    stopSequence,
    usage: {
      input_tokens: prompt - read - created,
      cache_creation_input_tokens: created,
      cache_read_input_tokens: read,
      output_tokens: blocks.reduce((n, b) => n + b.pieces.length, 0),
    },
  };
}
