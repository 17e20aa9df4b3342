// hoosh.v1 content parts as Gemini parts: text, images (inline bytes, data:
// URLs decoded to inlineData, other URLs as fileData) and audio (inlineData).
import type { ContentPart } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import type * as wire from "./wire.js";

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/is;
const IMAGE_TYPES = new Map([
  ["png", "image/png"],
  ["jpg", "image/jpeg"],
  ["jpeg", "image/jpeg"],
  ["webp", "image/webp"],
  ["gif", "image/gif"],
  ["heic", "image/heic"],
  ["heif", "image/heif"],
]);
const AUDIO_TYPES = new Map([
  ["mp3", "audio/mp3"],
  ["mpeg", "audio/mpeg"],
  ["m4a", "audio/mp4"],
  ["ogg", "audio/ogg"],
  ["webm", "audio/webm"],
]);

/** A data: URL as Gemini inlineData; `field` names the URL in errors. */
export function fromDataUrl(url: string, field: string): wire.Part {
  const m = DATA_URL.exec(url);
  if (!m) throw invalidArgument(field, `${showValue(url)} is not a valid data: URL (expected data:<mime>;base64,<data>)`);
  const mimeType = m[1] || "text/plain";
  const payload = m[3] ?? "";
  const base64 = /;base64$/i.test(m[2] ?? "");
  let data: string;
  try {
    data = base64 ? payload.replace(/\s+/g, "") : Buffer.from(decodeURIComponent(payload), "utf8").toString("base64");
  } catch {
    throw invalidArgument(field, "holds percent-encoded data that does not decode");
  }
  return { inlineData: { mimeType, data } };
}

/** MIME type of an image URL by its file extension, for fileData (which requires one). */
function guessImageType(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a URL we can parse: fall back to the raw text.
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "";
  return IMAGE_TYPES.get(ext) ?? "image/jpeg";
}

function audioType(format: string): string {
  const f = format.toLowerCase();
  if (f.includes("/")) return f;
  return AUDIO_TYPES.get(f) ?? `audio/${f || "wav"}`;
}

/** One content part; `field` is e.g. "messages[2].content[0]". */
export function toPart(part: ContentPart, field: string): wire.Part {
  const p = part.part;
  switch (p.case) {
    case "text":
      return { text: p.value };
    case "image": {
      const img = p.value;
      if (img.source.case === "data") return { inlineData: { mimeType: img.mimeType, data: Buffer.from(img.source.value).toString("base64") } };
      const url = img.source.value ?? "";
      if (/^data:/i.test(url)) return fromDataUrl(url, `${field}.image.url`);
      return { fileData: { fileUri: url, mimeType: img.mimeType || guessImageType(url) } };
    }
    case "audio":
      return { inlineData: { mimeType: audioType(p.value.format), data: Buffer.from(p.value.data).toString("base64") } };
    default:
      throw invalidArgument(field, "is empty; set one of text, image, audio");
  }
}

/** Parts of one message; empty text parts are dropped when other parts remain (Gemini rejects empty text). */
export function toParts(content: ContentPart[], field: string): wire.Part[] {
  const parts = content.map((part, j) => toPart(part, `${field}.content[${j}]`));
  const nonEmpty = parts.filter((p) => p.text !== "");
  return nonEmpty.length > 0 ? nonEmpty : parts;
}

/** Text of a message's parts, for system instructions and tool results (text only). */
export function textOf(content: ContentPart[], field: string, what: string): string {
  return content
    .map((part, j) => {
      if (part.part.case === "text") return part.part.value;
      throw invalidArgument(`${field}.content[${j}]`, `is ${part.part.case ?? "empty"}; gemini takes only text in ${what}`);
    })
    .join("");
}
