// Text to speech over OpenAI's POST /audio/speech (OpenAI TTS, openedai-speech, Kokoro-FastAPI
// and other compatible servers): JSON in, the audio file streamed back as it is produced.
import { create } from "@bufbuild/protobuf";
import type { Dispatcher } from "undici";
import { SpeechEndSchema, SpeechFormat, SpeechStartSchema } from "../../../gen/ts/hoosh/v1/speech_pb.js";
import { contentType, type HttpUpstream } from "../http-upstream.js";
import type { CallContext, SpeechEvent, SpeechRequest } from "../provider.js";

/** OpenAI's response_format per format; its default is mp3. */
export const OPENAI_SPEECH_FORMATS: Record<SpeechFormat, string> = {
  [SpeechFormat.UNSPECIFIED]: "mp3",
  [SpeechFormat.WAV]: "wav",
  [SpeechFormat.PCM16]: "pcm",
  [SpeechFormat.MP3]: "mp3",
  [SpeechFormat.OPUS]: "opus",
  [SpeechFormat.AAC]: "aac",
  [SpeechFormat.FLAC]: "flac",
};
/** OpenAI's pcm is 24 kHz 16-bit mono. */
const OPENAI_PCM_RATE = 24_000;
const DEFAULT_VOICE = "alloy";

/** `path`: where the upstream takes it (Azure: the model's deployment path). */
export async function* speakOpenAI(http: Pick<HttpUpstream, "send" | "relay">, req: SpeechRequest, call: CallContext, path = "/audio/speech"): AsyncGenerator<SpeechEvent> {
  const format = req.format === SpeechFormat.UNSPECIFIED ? SpeechFormat.MP3 : req.format;
  const voice = req.voice || DEFAULT_VOICE;
  const body = {
    model: req.model,
    input: req.input,
    voice,
    response_format: OPENAI_SPEECH_FORMATS[format],
    speed: req.speed,
    ...(req.instructions && { instructions: req.instructions }),
  };
  const res: Dispatcher.ResponseData = await http.send("POST", path, body, call, "audio/*, application/octet-stream");
  const rate = format === SpeechFormat.PCM16 ? OPENAI_PCM_RATE : 0;
  yield { case: "start", value: create(SpeechStartSchema, { model: req.model, voice, format, contentType: contentType(res) || "application/octet-stream", sampleRateHz: rate }) };
  let bytes = 0;
  let wavRate = 0;
  for await (const chunk of http.relay(res, call, (b) => b)) {
    if (format === SpeechFormat.WAV && bytes === 0 && chunk.length >= 28) wavRate = Buffer.from(chunk).readUInt32LE(24);
    bytes += chunk.length;
    yield { case: "audio", value: chunk };
  }
  // Only raw PCM and WAV tell their length without decoding.
  const seconds = format === SpeechFormat.PCM16 ? bytes / (2 * OPENAI_PCM_RATE) : wavRate > 0 ? Math.max(0, bytes - 44) / (2 * wavRate) : 0;
  yield { case: "end", value: create(SpeechEndSchema, { durationSeconds: seconds }) };
}
