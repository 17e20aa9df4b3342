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
import { Role, type ContentPart, type Message } from "../../../gen/ts/hoosh/v1/chat_pb.js";
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

/** Text and image blocks of a message; empty text parts are dropped (Anthropic rejects empty text blocks). */
function contentBlocks(parts: ContentPart[], field: string, provider: string): (wire.TextBlock | wire.ImageBlock)[] {
  const out: (wire.TextBlock | wire.ImageBlock)[] = [];
  parts.forEach((part, j) => {
    const p = part.part;
    if (p.case === "text") {
      if (p.value !== "") out.push({ type: "text", text: p.value });
    } else if (p.case === "image") {
      out.push({ type: "image", source: imageSource(p.value) });
    } else if (p.case === "audio") {
      throw invalid(`${field}.content[${j}].audio`, `provider "${provider}" (anthropic) does not accept audio input; send text or images`);
    }
  });
  return out;
}

function systemText(m: Message, field: string, provider: string): string {
  return contentBlocks(m.content, field, provider)
    .map((b, j) => {
      if (b.type !== "text") throw invalid(`${field}.content[${j}]`, `provider "${provider}" (anthropic) accepts only text in system messages`);
      return b.text;
    })
    .join("");
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
    const content = blocks.every((b) => b.type === "text") ? blocks.map((b) => (b as wire.TextBlock).text).join("") : blocks;
    return { role: "user", content: [{ type: "tool_result", tool_use_id: m.toolCallId, content }] };
  }
  const content: wire.RequestBlock[] = contentBlocks(m.content, field, provider);
  if (m.role === Role.ASSISTANT) {
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
  const system: string[] = [];
  const turns: wire.MessageParam[] = [];
  messages.forEach((m, i) => {
    if (m.role === Role.SYSTEM) {
      const text = systemText(m, `messages[${i}]`, provider);
      if (text) system.push(text);
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
  // One system message stays a plain string; several keep their boundaries as text blocks.
  const sys = system.length === 0 ? undefined : system.length === 1 ? system[0] : system.map((text) => ({ type: "text" as const, text }));
  return sys === undefined ? { messages: turns } : { system: sys, messages: turns };
}
