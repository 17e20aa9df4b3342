// An OpenAI transcription upload (multipart/form-data) to hoosh.v1: a
// TranscribeConfig and the audio bytes. Multipart is parsed by undici's own
// parser (Response.formData) on the buffered, size-capped body.
import type { File } from "node:buffer";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { Response, type FormData } from "undici";
import { AudioEncoding, TranscribeConfigSchema, type TranscribeConfig } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { sniffFormat, type SniffedFormat } from "../../audio/formats.js";
import { invalidArgument, reasonedError, showValue } from "../../core/errors.js";

const invalid = (field: string, message: string, reason?: string) => invalidArgument(field, message, reason?.toUpperCase());
const missing = (field: string, hint: string) => invalidArgument(field, `is required (${hint})`, "MISSING");

export const RESPONSE_FORMATS = ["json", "text", "srt", "verbose_json", "vtt"] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];
const GRANULARITIES = ["segment", "word"];

export interface TranscriptionCall {
  config: TranscribeConfig;
  audio: Uint8Array;
  format: ResponseFormat;
  granularities: string[];
}

const BY_EXTENSION = new Map<string, AudioEncoding>([
  ["wav", AudioEncoding.WAV],
  ["wave", AudioEncoding.WAV],
  ["mp3", AudioEncoding.MP3],
  ["mpga", AudioEncoding.MP3],
  ["mpeg", AudioEncoding.MP3],
  ["ogg", AudioEncoding.OGG_OPUS],
  ["oga", AudioEncoding.OGG_OPUS],
  ["opus", AudioEncoding.OGG_OPUS],
  ["flac", AudioEncoding.FLAC],
  ["webm", AudioEncoding.WEBM_OPUS],
]);
const BY_TYPE = new Map<string, AudioEncoding>([
  ["audio/wav", AudioEncoding.WAV],
  ["audio/x-wav", AudioEncoding.WAV],
  ["audio/wave", AudioEncoding.WAV],
  ["audio/vnd.wave", AudioEncoding.WAV],
  ["audio/mpeg", AudioEncoding.MP3],
  ["audio/mp3", AudioEncoding.MP3],
  ["audio/ogg", AudioEncoding.OGG_OPUS],
  ["audio/opus", AudioEncoding.OGG_OPUS],
  ["audio/flac", AudioEncoding.FLAC],
  ["audio/x-flac", AudioEncoding.FLAC],
  ["audio/webm", AudioEncoding.WEBM_OPUS],
  ["video/webm", AudioEncoding.WEBM_OPUS],
]);
const BY_MAGIC: Partial<Record<SniffedFormat, AudioEncoding>> = {
  wav: AudioEncoding.WAV,
  mp3: AudioEncoding.MP3,
  ogg: AudioEncoding.OGG_OPUS,
  flac: AudioEncoding.FLAC,
  webm: AudioEncoding.WEBM_OPUS,
};
const EXTENSION = /\.([a-z0-9]+)$/i;

/** The file's encoding from its name, then its content type, then its first bytes. */
function encodingOf(file: File, audio: Uint8Array): AudioEncoding {
  const ext = EXTENSION.exec(file.name)?.[1]?.toLowerCase();
  const byName = ext === undefined ? undefined : BY_EXTENSION.get(ext);
  const byType = BY_TYPE.get(file.type.split(";", 1)[0]!.trim().toLowerCase());
  const found = byName ?? byType ?? BY_MAGIC[sniffFormat(audio)];
  if (found === undefined) {
    throw invalid("file", `${showValue(file.name)} (${file.type || "no content type"}) is not a supported audio format; use one of: wav, mp3, ogg, flac, webm`, "unsupported_value");
  }
  return found;
}

async function parseForm(body: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch (err) {
    throw reasonedError(Code.InvalidArgument, "INVALID_BODY", `the multipart/form-data body could not be parsed (truncated or malformed): ${(err as Error).message}`);
  }
}

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (typeof value !== "string") throw invalid(name, "must be a text field, not a file", "invalid_type");
  return value;
}

export async function parseTranscriptionRequest(body: Buffer, contentType: string): Promise<TranscriptionCall> {
  const form = await parseForm(body, contentType);
  const file = form.get("file");
  if (file === null) throw missing("file", "the audio file as a multipart file field");
  if (typeof file === "string") throw invalid("file", "must be a file upload, not a text field", "invalid_type");
  const model = text(form, "model");
  if (model === undefined || model === "") throw missing("model", 'e.g. "whisper-1"');
  const formatName = text(form, "response_format") ?? "json";
  if (!(RESPONSE_FORMATS as readonly string[]).includes(formatName)) {
    throw invalid("response_format", `${showValue(formatName)} is not one of: ${RESPONSE_FORMATS.join(", ")}`);
  }
  const granularities = [...form.getAll("timestamp_granularities[]"), ...form.getAll("timestamp_granularities")].map(String);
  for (const g of granularities) {
    if (!GRANULARITIES.includes(g)) throw invalid("timestamp_granularities[]", `${showValue(g)} is not one of: ${GRANULARITIES.join(", ")}`);
  }
  if (text(form, "stream") === "true") throw invalid("stream", "streamed transcription is not supported", "unsupported_value");
  const audio = new Uint8Array(await file.arrayBuffer());
  const config = create(TranscribeConfigSchema, {
    model,
    language: text(form, "language") ?? "",
    prompt: text(form, "prompt") ?? "",
    encoding: audio.length === 0 ? AudioEncoding.WAV : encodingOf(file, audio),
    wordTimestamps: granularities.includes("word"),
  });
  return { config, audio, format: formatName as ResponseFormat, granularities };
}
