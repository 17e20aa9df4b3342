// OpenAI chat messages (roles, string or part content, tool calls) to
// hoosh.v1 Messages.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ImageDetail, Role, type ContentPartSchema, type MessageSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { showValue } from "../../core/errors.js";
import { fieldsAt, invalid, missing, wrongType, type Fields } from "./fields.js";

type MessageInit = MessageInitShape<typeof MessageSchema>;
type PartInit = MessageInitShape<typeof ContentPartSchema>;

const ROLES = new Map<string, Role>([
  ["system", Role.SYSTEM],
  ["developer", Role.SYSTEM],
  ["user", Role.USER],
  ["assistant", Role.ASSISTANT],
  ["tool", Role.TOOL],
]);
const DETAILS = ["auto", "low", "high"] as const;
const DETAIL = { auto: ImageDetail.AUTO, low: ImageDetail.LOW, high: ImageDetail.HIGH };
const PART_TYPES = "text, image_url, input_audio";
const AUDIO_FORMATS = ["wav", "mp3"] as const;
const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,/i;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

export function toMessages(value: unknown): MessageInit[] {
  if (value === undefined || value === null) throw missing("messages", "an array of messages");
  if (!Array.isArray(value)) throw wrongType("messages", "an array of messages", value);
  if (value.length === 0) throw invalid("messages", "is empty; at least one message is required", "empty_array");
  return value.map((m, i) => toMessage(fieldsAt(m, `messages[${i}]`), i));
}

function toMessage(f: Fields, i: number): MessageInit {
  const roleName = f.requiredString("role", `one of: ${[...ROLES.keys()].join(", ")}`);
  const role = ROLES.get(roleName);
  if (roleName === "function") throw invalid(f.path("role"), '"function" messages are deprecated and not supported; use "tool" with tool_call_id');
  if (role === undefined) throw invalid(f.path("role"), `${showValue(roleName)} is not one of: ${[...ROLES.keys()].join(", ")}`);
  const message: MessageInit = { role, content: toContent(f, role), name: f.string("name") ?? "" };
  const calls = f.array("tool_calls");
  if (calls !== undefined) {
    if (role !== Role.ASSISTANT) throw invalid(f.path("tool_calls"), `are only allowed on assistant messages, not ${roleName}`);
    message.toolCalls = calls.map((c, j) => {
      const call = fieldsAt(c, `messages[${i}].tool_calls[${j}]`);
      const type = call.string("type") ?? "function";
      if (type !== "function") throw invalid(call.path("type"), `${showValue(type)} is not supported; use "function"`);
      const fn = call.nested("function");
      if (!fn) throw missing(call.path("function"), "{name, arguments}");
      return { id: call.requiredString("id"), name: fn.requiredString("name"), arguments: fn.string("arguments") ?? "" };
    });
  }
  const toolCallId = f.string("tool_call_id");
  if (toolCallId !== undefined && role !== Role.TOOL) throw invalid(f.path("tool_call_id"), `is only allowed on tool messages, not ${roleName}`);
  if (toolCallId === undefined && role === Role.TOOL) throw missing(f.path("tool_call_id"), "the id of the tool call this message answers");
  if (toolCallId !== undefined) message.toolCallId = toolCallId;
  if (f.raw("function_call") !== undefined) throw invalid(f.path("function_call"), "is deprecated and not supported; use tool_calls");
  return message;
}

function toContent(f: Fields, role: Role): PartInit[] {
  const content = f.raw("content");
  if (content === undefined) return [];
  if (typeof content === "string") return [{ part: { case: "text", value: content } }];
  if (!Array.isArray(content)) throw wrongType(f.path("content"), "a string, an array of content parts or null", content);
  return content.map((p, j) => toPart(fieldsAt(p, f.path(`content[${j}]`)), role));
}

function toPart(p: Fields, role: Role): PartInit {
  const type = p.requiredString("type", PART_TYPES);
  if (type === "text") return { part: { case: "text", value: p.requiredString("text") } };
  // Assistant messages echo refusals back as parts; they are text to the model.
  if (type === "refusal" && role === Role.ASSISTANT) return { part: { case: "text", value: p.requiredString("refusal") } };
  if (type !== "image_url" && type !== "input_audio") throw invalid(p.path("type"), `${showValue(type)} is not supported; use one of: ${PART_TYPES}`);
  if (role !== Role.USER) throw invalid(p.path("type"), `${showValue(type)} parts are only allowed in user messages`);
  return type === "image_url" ? imagePart(p) : audioPart(p);
}

function imagePart(p: Fields): PartInit {
  const image = p.nested("image_url");
  if (!image) throw missing(p.path("image_url"), "{url, detail}");
  const url = image.requiredString("url", "an http(s) URL or a data:image/...;base64 URL");
  const detailName = image.oneOf("detail", DETAILS);
  const detail = detailName ? DETAIL[detailName] : ImageDetail.UNSPECIFIED;
  const data = DATA_URL.exec(url);
  if (!data) return { part: { case: "image", value: { source: { case: "url", value: url }, detail } } };
  const payload = url.slice(data[0].length);
  if (!BASE64.test(payload)) throw invalid(image.path("url"), "the data URL's payload is not valid base64");
  const bytes = Buffer.from(payload, "base64");
  return { part: { case: "image", value: { source: { case: "data", value: bytes }, mimeType: data[1]!.toLowerCase(), detail } } };
}

function audioPart(p: Fields): PartInit {
  const audio = p.nested("input_audio");
  if (!audio) throw missing(p.path("input_audio"), "{data, format}");
  const data = audio.requiredString("data", "base64 audio");
  if (!BASE64.test(data)) throw invalid(audio.path("data"), "is not valid base64");
  const format = audio.oneOf("format", AUDIO_FORMATS);
  if (format === undefined) throw missing(audio.path("format"), AUDIO_FORMATS.join(" or "));
  return { part: { case: "audio", value: { data: Buffer.from(data, "base64"), format } } };
}
