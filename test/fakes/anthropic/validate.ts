// Request checks of POST /v1/messages, as strict as Anthropic documents them:
// unknown top-level keys, missing max_tokens, role alternation, tool_use /
// tool_result pairing, empty text blocks. Returns the first problem found.
import { apiError, type AnthropicError } from "./http.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Top-level keys the Messages API accepts; anything else is "Extra inputs are not permitted". */
const KNOWN_KEYS = new Set([
  "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p", "top_k",
  "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management",
]);
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/** Content as blocks (a string is one text block). */
export function blocksOf(content: unknown): Json[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

/** cache_control, where Anthropic allows it: {type: "ephemeral", ttl?: "5m" | "1h"}. */
function checkCacheControl(c: unknown, at: string): string | null {
  if (c === undefined) return null;
  if (!isObject(c) || c.type !== "ephemeral") return `${at}.cache_control.type: Input should be 'ephemeral'`;
  return c.ttl === undefined || c.ttl === "5m" || c.ttl === "1h" ? null : `${at}.cache_control.ttl: Input should be '5m' or '1h'`;
}

function checkBlock(b: Json, at: string, role: string): string | null {
  const cache = checkCacheControl(b.cache_control, at);
  if (cache) return cache;
  switch (b.type) {
    case "thinking":
      if (role !== "assistant") return `${at}: thinking blocks are only allowed in assistant messages`;
      return typeof b.thinking === "string" && typeof b.signature === "string" && b.signature !== "" ? null : `${at}.signature: Field required`;
    case "redacted_thinking":
      if (role !== "assistant") return `${at}: redacted_thinking blocks are only allowed in assistant messages`;
      return typeof b.data === "string" && b.data !== "" ? null : `${at}.data: Field required`;
    case "text":
      if (typeof b.text !== "string") return `${at}.text: Field required`;
      return b.text === "" ? "messages: text content blocks must be non-empty" : null;
    case "image": {
      const s = isObject(b.source) ? b.source : {};
      if (s.type === "url") return typeof s.url === "string" && /^https?:\/\//.test(s.url) ? null : `${at}.source.url: Input should be a valid URL`;
      if (s.type !== "base64") return `${at}.source.type: Input should be 'base64' or 'url'`;
      if (!IMAGE_TYPES.has(String(s.media_type))) return `${at}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
      return typeof s.data === "string" && s.data !== "" ? null : `${at}.source.data: Field required`;
    }
    case "tool_use":
      if (role !== "assistant") return `${at}: tool_use blocks are only allowed in assistant messages`;
      return typeof b.id === "string" && typeof b.name === "string" && isObject(b.input) ? null : `${at}: tool_use needs id, name and an object input`;
    case "tool_result":
      if (role !== "user") return `${at}: tool_result blocks are only allowed in user messages`;
      return typeof b.tool_use_id === "string" ? null : `${at}.tool_use_id: Field required`;
    default:
      return `${at}.type: Input tag '${String(b.type)}' found using 'type' does not match any of the expected tags`;
  }
}

function checkMessages(messages: unknown[]): string | null {
  let previousToolUses: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isObject(m)) return `messages.${i}: Input should be a valid dictionary`;
    if (m.role !== "user" && m.role !== "assistant") return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== "user") return 'messages: first message must use the "user" role';
    const prev = messages[i - 1] as Json | undefined;
    if (prev && prev.role === m.role) return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
    if (typeof m.content !== "string" && !Array.isArray(m.content)) return `messages.${i}.content: Input should be a valid string or list`;
    const blocks = blocksOf(m.content);
    if (Array.isArray(m.content) && m.content.length === 0 && i < messages.length - 1) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    for (const [j, b] of blocks.entries()) {
      const problem = checkBlock(b, `messages.${i}.content.${j}`, String(m.role));
      if (problem) return problem;
    }
    const results = blocks.filter((b) => b.type === "tool_result").map((b) => String(b.tool_use_id));
    const firstOther = blocks.findIndex((b) => b.type !== "tool_result");
    if (results.length > 0 && firstOther >= 0 && firstOther < blocks.findLastIndex((b) => b.type === "tool_result")) {
      return `messages.${i}.content: tool_result blocks must come before any other content in a user message`;
    }
    const stray = results.find((id) => !previousToolUses.includes(id));
    if (stray) {
      return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    const missing = previousToolUses.filter((id) => !results.includes(id));
    if (missing.length > 0) {
      return `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    previousToolUses = blocks.filter((b) => b.type === "tool_use").map((b) => String(b.id));
  }
  return null;
}

function checkTools(body: Json): string | null {
  const tools = body.tools === undefined ? [] : body.tools;
  if (!Array.isArray(tools)) return "tools: Input should be a valid list";
  for (const [i, t] of tools.entries()) {
    if (!isObject(t) || typeof t.name !== "string") return `tools.${i}.name: Field required`;
    if (!isObject(t.input_schema)) return `tools.${i}.input_schema: Field required`;
    if (t.input_schema.type !== "object") return `tools.${i}.input_schema.type: Input should be 'object'`;
  }
  const names = tools.map((t: Json) => t.name);
  const usesTools = (body.messages as unknown[]).some((m) => isObject(m) && blocksOf(m.content).some((b) => b.type === "tool_use" || b.type === "tool_result"));
  if (usesTools && tools.length === 0) return "Requests which include `tool_use` or `tool_result` blocks must define tools.";
  const choice = body.tool_choice;
  if (choice === undefined) return null;
  if (!isObject(choice) || !["auto", "any", "tool", "none"].includes(String(choice.type))) return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'";
  if (tools.length === 0) return "tool_choice: tool_choice may only be specified while providing tools.";
  if (choice.type === "tool" && !names.includes(choice.name)) return `tool_choice.name: Tool '${String(choice.name)}' not found in provided tools`;
  return null;
}

export function validateMessages(body: Json): AnthropicError | null {
  const extra = Object.keys(body).find((k) => !KNOWN_KEYS.has(k));
  if (extra) return apiError(`${extra}: Extra inputs are not permitted`);
  if (typeof body.model !== "string" || body.model === "") return apiError("model: Field required");
  if (body.max_tokens === undefined) return apiError("max_tokens: Field required");
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return apiError("max_tokens: Input should be an integer greater than or equal to 1");
  if (!Array.isArray(body.messages)) return apiError("messages: Field required");
  if (body.messages.length === 0) return apiError("messages: at least one message is required");
  const system = body.system;
  if (system !== undefined && typeof system !== "string" && !(Array.isArray(system) && system.every((b) => isObject(b) && b.type === "text" && typeof b.text === "string"))) {
    return apiError("system: Input should be a valid string or a list of text blocks");
  }
  const t = body.temperature;
  if (t !== undefined && (typeof t !== "number" || t < 0 || t > 1)) return apiError("temperature: Input should be less than or equal to 1");
  if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s) => typeof s === "string"))) {
    return apiError("stop_sequences: Input should be a valid list of strings");
  }
  if (body.metadata !== undefined && !(isObject(body.metadata) && Object.keys(body.metadata).every((k) => k === "user_id"))) {
    return apiError("metadata: only user_id is permitted");
  }
  const problem = checkMessages(body.messages) ?? checkTools(body);
  return problem ? apiError(problem) : null;
}
