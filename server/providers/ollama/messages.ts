// hoosh.v1 messages -> Ollama chat messages: text joined into one string,
// images as bare base64, tool-call arguments as JSON objects and tool results
// named after the call they answer (Ollama has no tool call ids).
import { Code, ConnectError } from "@connectrpc/connect";
import { Role, type ContentPart, type ImagePart, type Message } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { roleName } from "../roles.js";
import type * as wire from "./wire.js";


/** InvalidArgument naming the request field, in the core's `field: message` form. */
export function invalidField(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 61)}...` : text);
}

/** The base64 payload of a data: URL (percent-encoded payloads are re-encoded). */
function dataUrlBase64(field: string, url: string): string {
  const comma = url.indexOf(",");
  if (comma < 0) throw invalidField(field, `${quote(url)} is a data: URL without a payload`);
  const payload = url.slice(comma + 1);
  let bytes: Buffer;
  if (/;base64$/i.test(url.slice(0, comma))) {
    bytes = Buffer.from(payload, "base64");
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(payload), "latin1");
    } catch {
      throw invalidField(field, `${quote(url)} has a malformed percent-encoded payload`);
    }
  }
  if (bytes.length === 0) throw invalidField(field, "is a data: URL with no image bytes");
  return bytes.toString("base64");
}

function toImage(field: string, image: ImagePart): string {
  if (image.source.case === "data") return Buffer.from(image.source.value).toString("base64");
  const url = image.source.value ?? "";
  if (/^data:/i.test(url)) return dataUrlBase64(`${field}.url`, url);
  throw invalidField(`${field}.url`, `${quote(url)} is not allowed: ollama accepts inline images only (image bytes or a data: URL)`);
}

/** Tool-call arguments (JSON text in hoosh.v1) as the JSON object Ollama wants. */
export function parseArguments(field: string, text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidField(field, `${quote(text)} is not valid JSON; ollama needs the arguments as a JSON object`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidField(field, `${quote(text)} is not a JSON object; ollama needs the arguments as a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function toContent(field: string, parts: ContentPart[]): { content: string; images: string[] } {
  const texts: string[] = [];
  const images: string[] = [];
  parts.forEach((part, j) => {
    const p = part.part;
    if (p.case === "text") texts.push(p.value);
    else if (p.case === "image") images.push(toImage(`${field}[${j}].image`, p.value));
    else if (p.case === "audio") throw invalidField(`${field}[${j}].audio`, "is not allowed: ollama does not accept audio input");
  });
  // Separate text parts stay separate lines; Ollama takes one string.
  return { content: texts.join("\n"), images };
}

/** The conversation in Ollama's shape. */
export function toMessages(messages: Message[]): wire.ChatMessage[] {
  // Tool call id -> tool name, as seen so far: a result names the latest earlier call with its id.
  const toolNames = new Map<string, string>();
  return messages.map((m, i) => {
    const { content, images } = toContent(`messages[${i}].content`, m.content);
    const out: wire.ChatMessage = { role: roleName(m.role), content };
    if (images.length > 0) out.images = images;
    if (m.toolCalls.length > 0) {
      out.tool_calls = m.toolCalls.map((c, j) => {
        toolNames.set(c.id, c.name);
        return { function: { name: c.name, arguments: parseArguments(`messages[${i}].tool_calls[${j}].arguments`, c.arguments) } };
      });
    }
    const toolName = m.role === Role.TOOL ? toolNames.get(m.toolCallId) : undefined;
    if (toolName) out.tool_name = toolName;
    return out;
  });
}
