// Provider type "whisper": whisper.cpp ggml models in-process (@napi-rs/whisper)
// in a worker process. Whole-utterance decoding: the audio is gathered (as
// 16 kHz mono), decoded once, and answered as one transcript with timed
// segments; TranscribeStream therefore sends only the final.
import { create } from "@bufbuild/protobuf";
import { TranscribeResponseSchema, type TranscribeConfig, type TranscribeResponse } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { WhisperEngine, type WhisperEngineOptions } from "../../engines/stt/whisper/engine.js";
import type { PoolStats } from "../../engines/stt/pool.js";
import type { CallContext, Provider } from "../provider.js";
import { SpeechProvider } from "./base.js";
import { checkPcmEncoding, pcm16kMono } from "./pcm-stream.js";

export interface WhisperOptions extends Omit<WhisperEngineOptions, "name"> {
  name: string;
  models: readonly string[];
}

export class WhisperProvider extends SpeechProvider implements Provider {
  readonly type = "whisper";
  private readonly engine: WhisperEngine;

  constructor(options: WhisperOptions) {
    super(options.name, options.models);
    this.engine = new WhisperEngine({ ...options, name: `provider "${options.name}"` });
  }

  get workerStats(): PoolStats {
    return this.engine.stats;
  }

  async transcribe(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): Promise<TranscribeResponse> {
    checkPcmEncoding(config, this.name);
    const pcm = pcm16kMono(config, audio);
    const parts: Int16Array[] = [];
    let length = 0;
    for await (const chunk of pcm.chunks) {
      parts.push(chunk);
      length += chunk.length;
    }
    const samples = new Float32Array(length);
    let at = 0;
    for (const part of parts) for (let i = 0; i < part.length; i++) samples[at++] = part[i]! / 32768;
    const out = await this.engine.transcribe(samples, config.language, config.prompt, call.signal);
    return create(TranscribeResponseSchema, {
      text: out.text,
      language: config.language,
      durationSeconds: pcm.seconds(),
      model: config.model,
      segments: out.segments.map((s) => ({ startSeconds: s.startSeconds, endSeconds: s.endSeconds, text: s.text })),
    });
  }

  async close(): Promise<void> {
    this.engine.close();
  }
}
