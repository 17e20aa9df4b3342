// Provider type "flite": text to speech inside hoosh, no API key and no system packages
// (server/engines/tts: flite as WebAssembly in worker processes). Audio streams out sentence by
// sentence as WAV, raw PCM16 or MP3 at 16 kHz mono. OpenAI's voice names are accepted and
// mapped onto flite's voices, so OpenAI tools work unchanged.
import { create } from "@bufbuild/protobuf";
import { SpeechEndSchema, SpeechFormat, SpeechStartSchema } from "../../../gen/ts/hoosh/v1/speech_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import { speechFormatName } from "../../core/speech-validate.js";
import { CONTENT_TYPES, createEncoder, type LocalFormat } from "../../engines/tts/encoders.js";
import { FliteEngine, FLITE_VOICES, type FliteVoice } from "../../engines/tts/flite.js";
import type { CallContext, Provider, SpeechEvent, SpeechRequest } from "../provider.js";
import { SpeechProvider } from "../stt/base.js";

export interface FliteProviderOptions {
  name: string;
  models: readonly string[];
  workers?: number;
  maxQueue?: number;
}

/** flite's own voice names, and OpenAI's mapped onto them (female: slt; male: rms, awb, kal16). */
export const VOICES: Readonly<Record<string, FliteVoice>> = {
  ...Object.fromEntries(FLITE_VOICES.map((v) => [v, v])),
  alloy: "slt",
  coral: "slt",
  nova: "slt",
  sage: "slt",
  shimmer: "slt",
  echo: "rms",
  onyx: "rms",
  ash: "rms",
  fable: "awb",
  ballad: "awb",
  verse: "kal16",
};
const DEFAULT_VOICE = "alloy";
const RATE = 16_000;

const FORMATS: Partial<Record<SpeechFormat, LocalFormat>> = {
  [SpeechFormat.UNSPECIFIED]: "mp3",
  [SpeechFormat.MP3]: "mp3",
  [SpeechFormat.WAV]: "wav",
  [SpeechFormat.PCM16]: "pcm",
};

export class FliteProvider extends SpeechProvider implements Provider {
  readonly type = "flite";
  protected override readonly skill = "speaks text";
  private readonly engine: FliteEngine;

  constructor(options: FliteProviderOptions) {
    super(options.name, options.models);
    this.engine = new FliteEngine({ name: `provider "${options.name}"`, workers: options.workers, maxQueue: options.maxQueue });
  }

  async *synthesize(req: SpeechRequest, call: CallContext): AsyncGenerator<SpeechEvent> {
    const voiceName = req.voice || DEFAULT_VOICE;
    const voice = VOICES[voiceName.toLowerCase()];
    if (!voice) throw invalidArgument("voice", `${showValue(req.voice)} is not a voice of provider "${this.name}"; use one of: ${Object.keys(VOICES).join(", ")}`);
    const format = FORMATS[req.format];
    if (!format) {
      const allowed = [SpeechFormat.MP3, SpeechFormat.WAV, SpeechFormat.PCM16].map(speechFormatName).join(", ");
      throw invalidArgument("format", `${speechFormatName(req.format)} is not produced by provider "${this.name}"; use one of: ${allowed}`);
    }
    const encoder = createEncoder(format, RATE);
    yield {
      case: "start",
      value: create(SpeechStartSchema, { model: req.model, voice: voiceName, format: req.format === SpeechFormat.UNSPECIFIED ? SpeechFormat.MP3 : req.format, contentType: CONTENT_TYPES[format], sampleRateHz: RATE }),
    };
    let samples = 0;
    for await (const { pcm } of this.engine.speak(req.input, voice, req.speed, call.signal)) {
      samples += pcm.length;
      const bytes = encoder.push(pcm);
      if (bytes.length > 0) yield { case: "audio", value: bytes };
    }
    const last = encoder.end();
    if (last.length > 0) yield { case: "audio", value: last };
    yield { case: "end", value: create(SpeechEndSchema, { durationSeconds: samples / RATE }) };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
