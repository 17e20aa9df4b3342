// OpenAI chat messages (roles, string or part content, tool calls), already type-checked by
// chat-schema.ts, to hoosh.v1 Messages: the rules between fields of one message.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Role, type ContentPartSchema, type MessageSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import { fromDetail, fromRole } from "../../providers/openai/enums.js";
import type { ChatMessage, ChatPart } from "./chat-schema.js";

type MessageInit = MessageInitShape<typeof MessageSchema>;
type PartInit = MessageInitShape<typeof ContentPartSchema>;

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,/i;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

export function toMessages(messages: readonly ChatMessage[]): MessageInit[] {
  return messages.map((m, i) => toMessage(m, `messages[${i}]`));
}

function toMessage(m: ChatMessage, at: string): MessageInit {
  if (m.role === "function") throw invalidArgument(`${at}.role`, '"function" messages are deprecated and not supported; use "tool" with tool_call_id', "UNSUPPORTED_VALUE");
  const role = fromRole(m.role)!;
  const message: MessageInit = { role, content: toContent(m, role, at), name: m.name ?? "" };
  if (m.tool_calls != null) {
    if (role !== Role.ASSISTANT) throw invalidArgument(`${at}.tool_calls`, `are only allowed on assistant messages, not ${m.role}`);
    message.toolCalls = m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments ?? "" }));
  }
  const toolCallId = m.tool_call_id ?? undefined;
  if (toolCallId !== undefined && role !== Role.TOOL) throw invalidArgument(`${at}.tool_call_id`, `is only allowed on tool messages, not ${m.role}`);
  if (toolCallId === undefined && role === Role.TOOL) throw invalidArgument(`${at}.tool_call_id`, "is required (the id of the tool call this message answers)", "MISSING");
  if (toolCallId !== undefined) message.toolCallId = toolCallId;
  if (m.function_call != null) throw invalidArgument(`${at}.function_call`, "is deprecated and not supported; use tool_calls", "UNSUPPORTED_PARAMETER");
  return message;
}

function toContent(m: ChatMessage, role: Role, at: string): PartInit[] {
  if (m.content == null) return [];
  if (typeof m.content === "string") return [{ part: { case: "text", value: m.content } }];
  return m.content.map((p, j) => toPart(p, role, `${at}.content[${j}]`));
}

function toPart(p: ChatPart, role: Role, at: string): PartInit {
  if (p.type === "text") return { part: { case: "text", value: p.text } };
  // Assistant messages echo refusals back as parts; they are text to the model.
  if (p.type === "refusal") {
    if (role !== Role.ASSISTANT) throw invalidArgument(`${at}.type`, '"refusal" parts are only allowed in assistant messages');
    return { part: { case: "text", value: p.refusal } };
  }
  if (role !== Role.USER) throw invalidArgument(`${at}.type`, `${showValue(p.type)} parts are only allowed in user messages`);
  return p.type === "image_url" ? imagePart(p, at) : audioPart(p, at);
}

/** An image by URL, or a data: URL decoded into bytes (the core and every provider then see bytes). */
export function imageFromUrl(url: string, detailName: "auto" | "low" | "high" | null | undefined, urlField: string): PartInit {
  const detail = fromDetail(detailName ?? undefined);
  const data = DATA_URL.exec(url);
  if (!data) return { part: { case: "image", value: { source: { case: "url", value: url }, detail } } };
  const payload = url.slice(data[0].length);
  if (!BASE64.test(payload)) throw invalidArgument(urlField, "the data URL's payload is not valid base64");
  return { part: { case: "image", value: { source: { case: "data", value: Buffer.from(payload, "base64") }, mimeType: data[1]!.toLowerCase(), detail } } };
}

function imagePart(p: Extract<ChatPart, { type: "image_url" }>, at: string): PartInit {
  return imageFromUrl(p.image_url.url, p.image_url.detail, `${at}.image_url.url`);
}

function audioPart(p: Extract<ChatPart, { type: "input_audio" }>, at: string): PartInit {
  if (!BASE64.test(p.input_audio.data)) throw invalidArgument(`${at}.input_audio.data`, "is not valid base64");
  return { part: { case: "audio", value: { data: Buffer.from(p.input_audio.data, "base64"), format: p.input_audio.format } } };
}
