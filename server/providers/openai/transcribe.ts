// Speech to text over OpenAI's POST /audio/transcriptions (multipart upload).
// whisper-1 and most compatible servers (faster-whisper, whisper.cpp, vLLM,
// LocalAI) answer verbose_json; gpt-4o-*-transcribe only answers json.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
// undici's own FormData: Node 20's global one is a different class that undici 7 cannot encode.
import { FormData, type Dispatcher } from "undici";
import { UsageSchema } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import {
  AudioEncoding,
  TranscribeResponseSchema,
  type TranscribeConfig,
  type TranscribeResponse,
} from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { wrapPcm16 } from "../../audio/wav.js";
import { transportError } from "../http-errors.js";
import type { CallContext } from "../provider.js";

/** The part of OpenAIProvider this file uses (its shared request and JSON reading). */
export interface OpenAIHttp {
  readonly name: string;
  send(method: "POST", path: string, body: FormData, call: CallContext): Promise<Dispatcher.ResponseData>;
  readJson<T>(res: Dispatcher.ResponseData, call: CallContext): Promise<T>;
}

/** OpenAI's transcription JSON (verbose_json is a superset of json). */
export interface TranscriptionWire {
  text?: string;
  language?: string;
  duration?: number;
  segments?: { start?: number; end?: number; text?: string }[] | null;
  words?: { start?: number; end?: number; word?: string }[] | null;
  usage?:
    | { type: "duration"; seconds?: number }
    | { type: "tokens"; input_tokens?: number; input_token_details?: { audio_tokens?: number; text_tokens?: number }; output_tokens?: number }
    | null;
}

/** Filename and MIME type per encoding: OpenAI detects the format from the extension. */
const FILES: Record<AudioEncoding, { name: string; type: string }> = {
  [AudioEncoding.UNSPECIFIED]: { name: "audio.bin", type: "application/octet-stream" },
  [AudioEncoding.PCM16_LE]: { name: "audio.wav", type: "audio/wav" }, // wrapped below
  [AudioEncoding.WAV]: { name: "audio.wav", type: "audio/wav" },
  [AudioEncoding.MP3]: { name: "audio.mp3", type: "audio/mpeg" },
  [AudioEncoding.OGG_OPUS]: { name: "audio.ogg", type: "audio/ogg" },
  [AudioEncoding.FLAC]: { name: "audio.flac", type: "audio/flac" },
  [AudioEncoding.WEBM_OPUS]: { name: "audio.webm", type: "audio/webm" },
};

const fileFor = (e: AudioEncoding) => FILES[e] ?? FILES[AudioEncoding.UNSPECIFIED];

export async function transcribeOpenAI(
  http: OpenAIHttp,
  config: TranscribeConfig,
  audio: AsyncIterable<Uint8Array>,
  call: CallContext,
  path = "/audio/transcriptions",
): Promise<TranscribeResponse> {
  let bytes = await collect(audio);
  if (config.encoding === AudioEncoding.PCM16_LE) bytes = wrapPcm16(bytes, config.sampleRateHz, config.channels);
  const file = new Blob([bytes], { type: fileFor(config.encoding).type });
  let res: Dispatcher.ResponseData;
  try {
    res = await http.send("POST", path, toForm(config, file, "verbose_json"), call);
  } catch (err) {
    // gpt-4o-*-transcribe rejects verbose_json (param=response_format): ask again for json, without timestamps.
    if (!(err instanceof ConnectError && err.code === Code.InvalidArgument && err.rawMessage.includes("param=response_format"))) throw err;
    res = await http.send("POST", path, toForm(config, file, "json"), call);
  }
  return fromTranscription(await readBody(http, res, call), config);
}

function toForm(config: TranscribeConfig, file: Blob, format: "verbose_json" | "json"): FormData {
  const form = new FormData();
  form.append("file", file, fileFor(config.encoding).name);
  form.append("model", config.model);
  // OpenAI takes ISO-639-1 only ("en", not "en-US"); the primary subtag is that.
  if (config.language) form.append("language", config.language.split("-")[0]!.toLowerCase());
  if (config.prompt) form.append("prompt", config.prompt);
  form.append("response_format", format);
  if (format === "verbose_json") {
    form.append("timestamp_granularities[]", "segment");
    if (config.wordTimestamps) form.append("timestamp_granularities[]", "word");
  }
  return form;
}

/** JSON normally; some servers answer text/plain with just the transcript. */
async function readBody(http: OpenAIHttp, res: Dispatcher.ResponseData, call: CallContext): Promise<TranscriptionWire> {
  if (/json/i.test(String(res.headers["content-type"] ?? "application/json"))) return http.readJson<TranscriptionWire>(res, call);
  try {
    return { text: await res.body.text() };
  } catch (err) {
    throw transportError(http.name, err, call.signal);
  }
}

interface SegmentInit {
  startSeconds: number;
  endSeconds: number;
  text: string;
  words: { startSeconds: number; endSeconds: number; word: string }[];
}

export function fromTranscription(w: TranscriptionWire, config: TranscribeConfig): TranscribeResponse {
  const segments: SegmentInit[] = (w.segments ?? []).map((s) => ({
    startSeconds: s.start ?? 0,
    endSeconds: s.end ?? 0,
    text: (s.text ?? "").trim(),
    words: [],
  }));
  const words = (w.words ?? []).map((x) => ({ startSeconds: x.start ?? 0, endSeconds: x.end ?? 0, word: (x.word ?? "").trim() }));
  // OpenAI lists words beside the segments; hoosh nests each in the segment where it starts.
  if (words.length > 0 && segments.length === 0) segments.push({ startSeconds: 0, endSeconds: w.duration ?? 0, text: (w.text ?? "").trim(), words: [] });
  for (const word of words) {
    const home = segments.find((s, i) => i === segments.length - 1 || word.startSeconds < (segments[i + 1]!.startSeconds));
    home!.words.push(word);
  }
  const u = w.usage;
  return create(TranscribeResponseSchema, {
    text: (w.text ?? "").trim(),
    language: languageCode(w.language, config.language),
    durationSeconds: w.duration ?? 0,
    model: config.model,
    segments,
    usage: create(UsageSchema, {
      inputTokens: u?.type === "tokens" ? (u.input_tokens ?? 0) : 0,
      outputTokens: u?.type === "tokens" ? (u.output_tokens ?? 0) : 0,
      audioTokens: u?.type === "tokens" ? (u.input_token_details?.audio_tokens ?? 0) : 0,
    }),
  });
}

const CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
// Whisper's languages (ISO-639-1, plus haw and yue); whisper-1 reports the English name, e.g. "english".
const WHISPER_CODES =
  "af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu ha haw he hi hr ht hu hy id is it ja jv ka kk km kn ko la lb ln lo lt lv mg mi mk ml mn mr ms mt my ne nl nn no oc pa pl ps pt ro ru sa sd si sk sl sn so sq sr su sv sw ta te tg th tk tl tr tt uk ur uz vi yi yo yue zh";
let byName: Map<string, string> | undefined;

/** A language code for the response: the upstream's code, its name mapped back, or the hint. */
export function languageCode(reported: string | undefined, hint: string): string {
  const value = (reported ?? "").trim();
  if (value === "") return hint;
  if (CODE.test(value)) return value;
  if (!byName) {
    const names = new Intl.DisplayNames("en", { type: "language" });
    byName = new Map(WHISPER_CODES.split(" ").map((code) => [names.of(code)!.toLowerCase(), code]));
    for (const [name, code] of [["myanmar", "my"], ["nynorsk", "nn"], ["maori", "mi"], ["javanese", "jv"], ["haitian creole", "ht"]]) byName.set(name!, code!);
  }
  return byName.get(value.toLowerCase()) ?? (hint || value);
}

async function collect(audio: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of audio) chunks.push(chunk);
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  // The core hands over one buffer: view it rather than copy 25 MiB.
  return only ? Buffer.from(only.buffer, only.byteOffset, only.byteLength) : Buffer.concat(chunks);
}
