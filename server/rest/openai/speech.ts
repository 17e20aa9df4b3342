// POST /v1/audio/speech: OpenAI's JSON in ({model, input, voice, response_format, speed,
// instructions}), the core's Synthesize, the audio file streamed out as the engine produces it
// (chunked), as the official SDKs' audio.speech.create reads it. Errors before the first byte
// are OpenAI error JSON (400 naming the field); after it the connection is cut.
import { create } from "@bufbuild/protobuf";
import { SpeechFormat, SynthesizeRequestSchema } from "../../../gen/ts/hoosh/v1/speech_pb.js";
import type { RestDeps } from "../handler.js";
import { drained, HttpError, readJson } from "../http-io.js";
import type { Exchange } from "./exchange.js";
import { Fields, invalid, isObject, wrongType } from "./fields.js";

const FORMATS = { mp3: SpeechFormat.MP3, opus: SpeechFormat.OPUS, aac: SpeechFormat.AAC, flac: SpeechFormat.FLAC, wav: SpeechFormat.WAV, pcm: SpeechFormat.PCM16 } as const;
const FORMAT_NAMES = Object.keys(FORMATS) as (keyof typeof FORMATS)[];

export function parseSpeechRequest(body: unknown) {
  if (!isObject(body)) throw wrongType("body", "a JSON object", body);
  const f = new Fields(body);
  const voice = f.raw("voice");
  // Newer SDKs may send a custom voice as {"id": "..."}.
  const voiceId = isObject(voice) && typeof voice.id === "string" ? voice.id : voice;
  if (voiceId !== undefined && typeof voiceId !== "string") throw wrongType("voice", 'a string such as "alloy"', voice);
  const streamFormat = f.oneOf("stream_format", ["audio", "sse"] as const);
  if (streamFormat === "sse") throw invalid("stream_format", '"sse" is not supported; use "audio" (the default): the audio file is streamed as it is produced', "unsupported_value");
  const format = f.oneOf("response_format", FORMAT_NAMES);
  return create(SynthesizeRequestSchema, {
    model: f.requiredString("model", 'e.g. "tts-1"'),
    input: f.requiredString("input", "the text to speak"),
    voice: voiceId ?? "",
    format: format === undefined ? SpeechFormat.UNSPECIFIED : FORMATS[format],
    speed: f.number("speed"),
    instructions: f.string("instructions") ?? "",
  });
}

/** Core field names to this edge's (the core names the proto fields). */
const PARAMS: Record<string, string> = { format: "response_format" };

export async function speech(ex: Exchange, deps: RestDeps): Promise<void> {
  if (!deps.speech) throw new HttpError(404, "text to speech is not served here", { code: "unknown_url" });
  const req = parseSpeechRequest(await readJson(ex.req, deps.maxBodyBytes));
  const events = deps.speech.synthesize(req, ex.call)[Symbol.asyncIterator]();
  let first;
  try {
    first = await events.next();
  } catch (err) {
    throw renamed(err);
  }
  if (first.done || first.value.case !== "start") throw new HttpError(502, "the speech provider sent no audio");
  const res = ex.res;
  res.writeHead(200, { ...ex.headers(), "content-type": first.value.value.contentType || "application/octet-stream" });
  (res as { flushHeaders?: () => void }).flushHeaders?.();
  try {
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.case !== "audio") continue;
      if (!res.write(next.value.value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // Headers are out: the only way to say "failed" is to cut the stream short.
    res.destroy();
  } finally {
    await events.return?.(undefined);
  }
}

/** INVALID_ARGUMENT from the core names proto fields; OpenAI clients know response_format. */
function renamed(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  for (const [field, param] of Object.entries(PARAMS)) {
    if (err.message.includes(`${field}: `)) {
      const e = err as Error & { rawMessage?: string };
      const raw = e.rawMessage ?? err.message;
      if (raw.startsWith(`${field}: `)) return invalid(param, raw.slice(field.length + 2));
    }
  }
  return err;
}
