// Deterministic Converse replies: "echo: <last user text>", a tool call when
// asked ("call tool" in the prompt or a forced toolChoice), and an answer to a
// tool result naming the tool and its result.
import { sampleArguments, wordChunks } from "../openai/reply.js";
import { isObject } from "./validate.js";

type Json = Record<string, unknown>;

export interface ConverseReply {
  text: string[];
  toolUse?: { toolUseId: string; name: string; input: Json; pieces: string[] };
  stopReason: string;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const textOf = (m: Json) => (Array.isArray(m.content) ? m.content : []).map((b) => (isObject(b) && typeof b.text === "string" ? b.text : "")).join("");

export function planConverse(body: Json, opts: { longStream?: boolean } = {}): ConverseReply {
  const messages = (body.messages as Json[]).filter(isObject);
  const last = messages.at(-1)!;
  const inputTokens = messages.reduce((n, m) => n + words(textOf(m)) + 3, 0);
  const config = isObject(body.toolConfig) ? body.toolConfig : undefined;
  const tools = (Array.isArray(config?.tools) ? config.tools : []).map((t) => (isObject(t) ? t.toolSpec : undefined)).filter(isObject);
  const choice = isObject(config?.toolChoice) ? config.toolChoice : undefined;
  const result = (Array.isArray(last.content) ? last.content : []).map((b) => (isObject(b) ? b.toolResult : undefined)).find(isObject);
  const done = (text: string[], stopReason = "end_turn", extra: Partial<ConverseReply> = {}): ConverseReply => ({
    text,
    stopReason,
    usage: { inputTokens, outputTokens: text.length + (extra.toolUse ? 1 : 0), totalTokens: inputTokens + text.length + (extra.toolUse ? 1 : 0) },
    ...extra,
  });
  if (result) {
    const use = messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).map((b) => (isObject(b) ? b.toolUse : undefined)).find((u) => isObject(u) && u.toolUseId === result.toolUseId) as Json | undefined;
    const content = Array.isArray(result.content) && isObject(result.content[0]) ? result.content[0] : {};
    return done(wordChunks(`result of ${String(use?.name)}: ${JSON.stringify(content.json ?? content.text ?? null)}`));
  }
  const forced = isObject(choice?.tool) ? tools.find((t) => t.name === (choice.tool as Json).name) : isObject(choice?.any) ? tools[0] : undefined;
  const tool = forced ?? (textOf(last).toLowerCase().includes("call tool") ? tools[0] : undefined);
  if (tool) {
    const args = sampleArguments(isObject(tool.inputSchema) ? tool.inputSchema.json : undefined);
    const pieces = args.length > 2 ? [args.slice(0, Math.ceil(args.length / 2)), args.slice(Math.ceil(args.length / 2))] : [];
    return done([], "tool_use", { toolUse: { toolUseId: `tooluse_${Math.random().toString(36).slice(2, 12)}`, name: String(tool.name), input: JSON.parse(args) as Json, pieces } });
  }
  if (opts.longStream) return done(Array.from({ length: 1200 }, (_, i) => (i === 0 ? "tick0" : ` tick${i}`)));
  let text = wordChunks(`echo: ${textOf(last)}`);
  const max = isObject(body.inferenceConfig) ? body.inferenceConfig.maxTokens : undefined;
  if (typeof max === "number" && max < text.length) return done((text = text.slice(0, max)), "max_tokens");
  return done(text);
}
