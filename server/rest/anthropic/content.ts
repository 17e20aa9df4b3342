// Anthropic `system` and `messages` (string or content blocks) to hoosh.v1
// messages. tool_use blocks become assistant tool_calls; each tool_result block
// becomes a ROLE_TOOL message placed before the rest of its user turn.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ContentPartSchema, MessageSchema, Role, type ContentPart, type Message, type ToolCall } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import { jsonText } from "../../core/json-text.js";
import { array, blockType, object, optionalBool, requiredString, string, type Json } from "./fields.js";

// The init form only (not a ContentPart message), so parts can be spread and extended.
type PartInit = Exclude<MessageInitShape<typeof ContentPartSchema>, ContentPart>;
type CallInit = Omit<ToolCall, "$typeName">;

export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const USER_BLOCKS = ["text", "image", "tool_result"] as const;
const ASSISTANT_BLOCKS = ["text", "tool_use", "thinking", "redacted_thinking"] as const;
const RESULT_BLOCKS = ["text", "image"] as const;

const text = (value: string): PartInit => ({ part: { case: "text", value } });
const CACHE_TTLS = ["5m", "1h"];

/** cache_control {type: "ephemeral", ttl?} as a hoosh.v1 prompt-cache breakpoint; absent: none. */
export function cacheBreakpoint(field: string, value: unknown): { cacheBreakpoint?: { ttl: string } } {
  if (value === undefined || value === null) return {};
  const c = object(field, value);
  if (c.type !== "ephemeral") throw invalidArgument(`${field}.type`, `${showValue(c.type)} is not allowed; use "ephemeral"`);
  if (c.ttl === undefined) return { cacheBreakpoint: { ttl: "" } };
  const ttl = string(`${field}.ttl`, c.ttl);
  if (!CACHE_TTLS.includes(ttl)) throw invalidArgument(`${field}.ttl`, `${showValue(ttl)} is not one of: ${CACHE_TTLS.join(", ")}`);
  return { cacheBreakpoint: { ttl } };
}

function textBlock(field: string, b: Json): PartInit {
  return { ...text(string(`${field}.text`, b.text)), ...cacheBreakpoint(`${field}.cache_control`, b.cache_control) };
}

/** An earlier turn's thinking, kept with its signature: Anthropic wants it back with tool results. */
function thinkingBlock(field: string, type: "thinking" | "redacted_thinking", b: Json): PartInit {
  if (type === "redacted_thinking") return { part: { case: "reasoning", value: { redacted: requiredString(`${field}.data`, b.data, "EmwKAhgBEgy...") } } };
  const thinking = string(`${field}.thinking`, b.thinking);
  const signature = b.signature === undefined ? "" : string(`${field}.signature`, b.signature);
  return { part: { case: "reasoning", value: { text: thinking, signature } } };
}

function imageBlock(field: string, b: Json): PartInit {
  const source = object(`${field}.source`, b.source);
  const kind = blockType(`${field}.source`, source, ["base64", "url"] as const);
  if (kind === "url") {
    const url = requiredString(`${field}.source.url`, source.url, "https://example.com/cat.png");
    if (!/^https?:\/\//i.test(url)) throw invalidArgument(`${field}.source.url`, `${showValue(url)} is not an http(s) URL`);
    return { part: { case: "image", value: { source: { case: "url", value: url } } }, ...cacheBreakpoint(`${field}.cache_control`, b.cache_control) };
  }
  const mediaType = string(`${field}.source.media_type`, source.media_type);
  if (!MEDIA_TYPES.includes(mediaType)) throw invalidArgument(`${field}.source.media_type`, `${showValue(mediaType)} is not one of: ${MEDIA_TYPES.join(", ")}`);
  const data = requiredString(`${field}.source.data`, source.data, "iVBORw0KGgo...");
  if (data.length % 4 !== 0 || !BASE64.test(data)) throw invalidArgument(`${field}.source.data`, "is not valid base64");
  const image = { source: { case: "data" as const, value: Buffer.from(data, "base64") }, mimeType: mediaType };
  return { part: { case: "image", value: image }, ...cacheBreakpoint(`${field}.cache_control`, b.cache_control) };
}

function toolResult(field: string, b: Json, known: Set<string>, previous: string | undefined): Message {
  const id = requiredString(`${field}.tool_use_id`, b.tool_use_id, "toolu_01A09q90qw90lq917835lq9");
  if (!known.has(id)) {
    const where = previous ? `the previous message (${previous})` : "a previous message (this is the first one)";
    const list = known.size > 0 ? `; its ids: ${[...known].join(", ")}` : previous ? " (it has none)" : "";
    throw invalidArgument(`${field}.tool_use_id`, `${showValue(id)} does not match a tool_use block in ${where}${list}`);
  }
  let parts: PartInit[];
  if (b.content === undefined || b.content === null) parts = [text("")];
  else if (typeof b.content === "string") parts = [text(b.content)];
  else {
    parts = array(`${field}.content`, b.content).map((block, j) => {
      const f = `${field}.content[${j}]`;
      return blockType(f, block, RESULT_BLOCKS) === "text" ? textBlock(f, block as Json) : imageBlock(f, block as Json);
    });
    if (parts.length === 0) parts = [text("")];
  }
  if (optionalBool(`${field}.is_error`, b.is_error)) {
    const first = parts[0];
    if (first?.part?.case === "text") parts[0] = { ...first, part: { case: "text", value: `Error: ${first.part.value}` } };
    else parts.unshift(text("Error:"));
  }
  // The block's own cache_control ends the cached prefix at its last part.
  const cached = cacheBreakpoint(`${field}.cache_control`, b.cache_control);
  if (cached.cacheBreakpoint) parts[parts.length - 1] = { ...parts[parts.length - 1], ...cached };
  return create(MessageSchema, { role: Role.TOOL, toolCallId: id, content: parts });
}

function toolUse(field: string, b: Json): CallInit {
  const id = requiredString(`${field}.id`, b.id, "toolu_01A09q90qw90lq917835lq9");
  const name = requiredString(`${field}.name`, b.name, "get_weather");
  if (!TOOL_NAME.test(name)) throw invalidArgument(`${field}.name`, `${showValue(name)} must match ${TOOL_NAME}`);
  const input = object(`${field}.input`, b.input);
  const tooDeep = () => invalidArgument(`${field}.input`, "is nested too deeply to pass on as tool-call arguments");
  return { id, name, arguments: jsonText(input, tooDeep) };
}

function blocksOf(field: string, content: unknown): unknown[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (content === undefined || content === null) throw invalidArgument(field, "is required (a string or an array of content blocks)");
  const blocks = array(field, content);
  if (blocks.length === 0) throw invalidArgument(field, "is empty; a message needs at least one content block");
  return blocks;
}

function userTurn(field: string, content: unknown, known: Set<string>, previous: string | undefined): Message[] {
  const results: Message[] = [];
  const parts: PartInit[] = [];
  blocksOf(`${field}.content`, content).forEach((block, j) => {
    const f = `${field}.content[${j}]`;
    const type = blockType(f, block, USER_BLOCKS);
    if (type === "tool_result") results.push(toolResult(f, block as Json, known, previous));
    else parts.push(type === "text" ? textBlock(f, block as Json) : imageBlock(f, block as Json));
  });
  if (parts.length > 0) results.push(create(MessageSchema, { role: Role.USER, content: parts }));
  return results;
}

function assistantTurn(field: string, content: unknown, ids: Set<string>): Message[] {
  const parts: PartInit[] = [];
  const toolCalls: CallInit[] = [];
  blocksOf(`${field}.content`, content).forEach((block, j) => {
    const f = `${field}.content[${j}]`;
    const type = blockType(f, block, ASSISTANT_BLOCKS);
    if (type === "text") parts.push(textBlock(f, block as Json));
    else if (type === "thinking" || type === "redacted_thinking") parts.push(thinkingBlock(f, type, block as Json));
    else if (type === "tool_use") {
      const call = toolUse(f, block as Json);
      if (ids.has(call.id)) throw invalidArgument(`${f}.id`, `${showValue(call.id)} is used twice in this message`);
      ids.add(call.id);
      toolCalls.push(call);
    }
  });
  if (parts.length === 0 && toolCalls.length === 0) return [];
  return [create(MessageSchema, { role: Role.ASSISTANT, content: parts, toolCalls })];
}

/** The top-level `system`: a string or text blocks, as one ROLE_SYSTEM message. */
export function systemMessage(system: unknown): Message[] {
  if (system === undefined || system === null) return [];
  const blocks = typeof system === "string" ? [{ type: "text", text: system }] : array("system", system);
  const parts = blocks.map((block, i) => {
    blockType(`system[${i}]`, block, ["text"] as const);
    return textBlock(`system[${i}]`, block as Json);
  }).filter((p) => p.part?.value !== "");
  return parts.length > 0 ? [create(MessageSchema, { role: Role.SYSTEM, content: parts })] : [];
}

export function conversation(messages: unknown): Message[] {
  if (messages === undefined || messages === null) throw invalidArgument("messages", "is required (an array of {role, content})");
  const list = array("messages", messages);
  if (list.length === 0) throw invalidArgument("messages", "is empty; at least one message is required");
  const out: Message[] = [];
  let previousIds = new Set<string>();
  list.forEach((raw, i) => {
    const field = `messages[${i}]`;
    const m = object(field, raw);
    const role = m.role;
    if (role === "user") {
      out.push(...userTurn(field, m.content, previousIds, i > 0 ? `messages[${i - 1}]` : undefined));
      previousIds = new Set();
    } else if (role === "assistant") {
      previousIds = new Set();
      out.push(...assistantTurn(field, m.content, previousIds));
    } else {
      const hint = role === "system" ? " (put system instructions in the top-level \"system\" field)" : "";
      throw invalidArgument(`${field}.role`, `${role === undefined ? "is required" : `${showValue(role)} is not allowed`}; use "user" or "assistant"${hint}`);
    }
  });
  return out;
}
