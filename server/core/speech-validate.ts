// Checks a Synthesize request before anything is routed or reserved: each problem is one
// INVALID_ARGUMENT naming the field, the value and what is allowed. Voices are the provider's
// business (it knows its own), so they are checked there, still before any audio.
import type { SynthesizeRequest } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { SpeechFormat } from "../../gen/ts/hoosh/v1/speech_pb.js";
import type { SpeechRequest } from "../providers/provider.js";
import { invalidArgument, showValue } from "./errors.js";

/** OpenAI's limit for /audio/speech, in characters. */
export const MAX_SPEECH_CHARACTERS = 4096;
export const SPEED_RANGE = { min: 0.25, max: 4 } as const;

export const speechFormatName = (f: SpeechFormat): string => (SpeechFormat[f] !== undefined ? `SPEECH_FORMAT_${SpeechFormat[f]}` : String(f));
const FORMATS = Object.values(SpeechFormat)
  .filter((v): v is SpeechFormat => typeof v === "number")
  .map(speechFormatName)
  .join(", ");

/** Characters as a reader counts them (code points, so an emoji is one). */
export const characterCount = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

export function validateSpeech(req: Omit<SynthesizeRequest, "$typeName" | "$unknown">): SpeechRequest {
  if (req.model.trim() === "") throw invalidArgument("model", 'is required (e.g. "tts-1")');
  if (req.input.trim() === "") throw invalidArgument("input", `is empty; give the text to speak (1 to ${MAX_SPEECH_CHARACTERS} characters)`);
  const characters = characterCount(req.input);
  if (characters > MAX_SPEECH_CHARACTERS) {
    throw invalidArgument("input", `has ${characters} characters, more than the limit of ${MAX_SPEECH_CHARACTERS}; split the text into several requests`);
  }
  if (!(req.format in SpeechFormat)) throw invalidArgument("format", `${showValue(req.format)} is not a speech format; use one of: ${FORMATS}`);
  const speed = req.speed ?? 1;
  if (!Number.isFinite(speed) || speed < SPEED_RANGE.min || speed > SPEED_RANGE.max) {
    throw invalidArgument("speed", `${showValue(speed)} is out of range; allowed: ${SPEED_RANGE.min} to ${SPEED_RANGE.max} (1 is normal speed)`);
  }
  if (req.voice.length > 256) throw invalidArgument("voice", `${showValue(req.voice)} is longer than 256 characters`);
  return { ...req, speed };
}
