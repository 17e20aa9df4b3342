// hoosh.v1 conversation -> Anthropic `system` + `messages`. Anthropic differs
// from the hoosh/OpenAI model in three ways this file absorbs:
//  - system text is a top-level field, not a message (every ROLE_SYSTEM
//    message is lifted out, in order, wherever it sits in the conversation);
//  - tool results are `tool_result` blocks inside a user turn, not a "tool" role;
//  - turns must alternate user/assistant, so consecutive same-role messages
//    (e.g. several tool results, or a tool result followed by user text) are
//    merged into one turn. In a merged user turn the tool_result blocks go
//    first, as Anthropic requires them ahead of any other content.
import { Code, ConnectError } from "@connectrpc/connect";
import { Role, type ContentPart, type Message, type PromptCacheBreakpoint } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type * as wire from "./wire.js";

/** data: URLs (allowed by hoosh's validation) become base64 sources: Anthropic's url source fetches http(s) only. */
const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*?)(;base64)?,(.*)$/is;

function invalid(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

function imageSource(part: Extract<ContentPart["part"], { case: "image" }>["value"]): wire.ImageSource {
  if (part.source.case === "data") {
    return { type: "base64", media_type: part.mimeType, data: Buffer.from(part.source.value).toString("base64") };
  }
  const url = part.source.value ?? "";
  const m = DATA_URL.exec(url);
  if (!m) return { type: "url", url };
  const data = m[3] ? m[4]! : Buffer.from(decodeURIComponent(m[4]!), "utf8").toString("base64");
  return { type: "base64", media_type: m[1]!.toLowerCase(), data };
}

/** A hoosh.v1 prompt-cache breakpoint as Anthropic's cache_control. */
export function cacheControl(bp: PromptCacheBreakpoint | undefined): { cache_control?: wire.CacheControl } {
  if (!bp) return {};
  return { cache_control: bp.ttl ? { type: "ephemeral", ttl: bp.ttl } : { type: "ephemeral" } };
}

/**
 * Text and image blocks of a message, each with its cache_control; empty text parts are dropped
 * (Anthropic rejects empty text blocks). Reasoning parts are the assistant turn's (thinkingBlocks).
 */
function contentBlocks(parts: ContentPart[], field: string, provider: string): (wire.TextBlock | wire.ImageBlock)[] {
  const out: (wire.TextBlock | wire.ImageBlock)[] = [];
  parts.forEach((part, j) => {
    const p = part.part;
    if (p.case === "text") {
      if (p.value !== "") out.push({ type: "text", text: p.value, ...cacheControl(part.cacheBreakpoint) });
    } else if (p.case === "image") {
      out.push({ type: "image", source: imageSource(p.value), ...cacheControl(part.cacheBreakpoint) });
    } else if (p.case === "audio") {
      throw invalid(`${field}.content[${j}].audio`, `provider "${provider}" (anthropic) does not accept audio input; send text or images`);
    }
  });
  return out;
}

/** A system message as one text block, cached when any of its parts is a breakpoint. */
function systemBlock(m: Message, field: string, provider: string): wire.TextBlock {
  const text = contentBlocks(m.content, field, provider)
    .map((b, j) => {
      if (b.type !== "text") throw invalid(`${field}.content[${j}]`, `provider "${provider}" (anthropic) accepts only text in system messages`);
      return b.text;
    })
    .join("");
  return { type: "text", text, ...cacheControl(m.content.find((p) => p.cacheBreakpoint)?.cacheBreakpoint) };
}

/** The model's earlier thinking, handed back first in its turn (Anthropic requires it with tool use). */
function thinkingBlocks(parts: ContentPart[]): wire.RequestBlock[] {
  const out: wire.RequestBlock[] = [];
  for (const part of parts) {
    if (part.part.case !== "reasoning") continue;
    const r = part.part.value;
    if (r.redacted) out.push({ type: "redacted_thinking", data: r.redacted });
    // Unsigned reasoning (another provider's) cannot be verified by Anthropic: not sent.
    else if (r.signature) out.push({ type: "thinking", thinking: r.text, signature: r.signature });
  }
  return out;
}

/** Anthropic wants the arguments as an object; "" (a call without arguments) is read as {}. */
function toolInput(args: string, field: string): object {
  if (args.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalid(field, `${JSON.stringify(args.length > 64 ? `${args.slice(0, 61)}...` : args)} is not valid JSON; the arguments must be a JSON object`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalid(field, "must be a JSON object (e.g. {\"city\":\"Paris\"})");
  }
  return parsed;
}

function toTurn(m: Message, i: number, provider: string): wire.MessageParam {
  const field = `messages[${i}]`;
  if (m.role === Role.TOOL) {
    const blocks = contentBlocks(m.content, field, provider);
    // A plain-text result is sent as a string, the form most tools produce.
    const content = blocks.every((b) => b.type === "text") ? blocks.map((b) => (b as wire.TextBlock).text).join("") : blocks.map(({ cache_control: _, ...b }) => b);
    const cached = cacheControl(m.content.find((p) => p.cacheBreakpoint)?.cacheBreakpoint);
    return { role: "user", content: [{ type: "tool_result", tool_use_id: m.toolCallId, content, ...cached }] };
  }
  const content: wire.RequestBlock[] = contentBlocks(m.content, field, provider);
  if (m.role === Role.ASSISTANT) {
    content.unshift(...thinkingBlocks(m.content));
    m.toolCalls.forEach((c, j) => {
      content.push({ type: "tool_use", id: c.id, name: c.name, input: toolInput(c.arguments, `${field}.tool_calls[${j}].arguments`) });
    });
    return { role: "assistant", content };
  }
  return { role: "user", content };
}

/** tool_result blocks first, the rest after, each group in its original order. */
function resultsFirst(blocks: wire.RequestBlock[]): wire.RequestBlock[] {
  const results = blocks.filter((b) => b.type === "tool_result");
  return results.length === 0 ? blocks : [...results, ...blocks.filter((b) => b.type !== "tool_result")];
}

export interface Conversation {
  system?: string | wire.TextBlock[];
  messages: wire.MessageParam[];
}

export function toConversation(messages: Message[], provider: string): Conversation {
  const system: wire.TextBlock[] = [];
  const turns: wire.MessageParam[] = [];
  messages.forEach((m, i) => {
    if (m.role === Role.SYSTEM) {
      const block = systemBlock(m, `messages[${i}]`, provider);
      if (block.text) system.push(block);
      return;
    }
    const turn = toTurn(m, i, provider);
    // A message left with no blocks (only empty text) would be rejected; it carries nothing.
    if (turn.content.length === 0) return;
    const last = turns[turns.length - 1];
    if (last?.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  });
  for (const t of turns) if (t.role === "user") t.content = resultsFirst(t.content);
  // One uncached system message stays a plain string; several (or a cached one) are text blocks.
  const sys = system.length === 0 ? undefined : system.length === 1 && !system[0]!.cache_control ? system[0]!.text : system;
  return sys === undefined ? { messages: turns } : { system: sys, messages: turns };
}
