// Turns the audio bytes a client streams (WAV or raw PCM16 LE, any rate, mono
// or stereo) into 16 kHz mono int16 chunks as they arrive: the WAV header is
// parsed as soon as it is complete, odd bytes and partial frames carry over to
// the next chunk, channels are averaged and the rate is converted on the fly.
import { AudioEncoding, type TranscribeConfig } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { invalidArgument } from "../../core/errors.js";
import { encodingName } from "../../audio/formats.js";
import { downmix, LinearResampler } from "../../audio/resample.js";
import { parseWav } from "../../audio/wav.js";

export const ENGINE_RATE_HZ = 16_000;
/** A WAV header longer than this (huge LIST chunks) is not waited for. */
const MAX_HEADER_BYTES = 64 * 1024;

export interface PcmStream {
  chunks: AsyncGenerator<Int16Array>;
  /** Seconds of input audio seen so far. */
  seconds(): number;
}

export function checkPcmEncoding(config: TranscribeConfig, provider: string): void {
  if (config.encoding !== AudioEncoding.WAV && config.encoding !== AudioEncoding.PCM16_LE) {
    throw invalidArgument("config.encoding", `${encodingName(config.encoding)} is not supported by provider "${provider}"; use AUDIO_ENCODING_WAV or AUDIO_ENCODING_PCM16_LE`);
  }
}

export function pcm16kMono(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>): PcmStream {
  let inputFrames = 0;
  let rate = config.sampleRateHz;
  async function* chunks(): AsyncGenerator<Int16Array> {
    let channels = config.channels;
    let resampler: LinearResampler | undefined;
    let pending: Buffer = Buffer.alloc(0);
    let headerDone = config.encoding === AudioEncoding.PCM16_LE;
    let dataLeft = Infinity;
    const convert = (bytes: Buffer): Int16Array | undefined => {
      const frame = 2 * channels;
      const limit = Number.isFinite(dataLeft) ? dataLeft - (dataLeft % frame) : Infinity;
      const whole = Math.min(bytes.length - (bytes.length % frame), limit);
      if (whole <= 0) return undefined;
      // Copy: the source may be unaligned, and the remainder stays pending.
      const samples = new Int16Array(whole / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      pending = bytes.subarray(whole);
      dataLeft -= whole;
      inputFrames += whole / frame;
      resampler ??= new LinearResampler(rate, ENGINE_RATE_HZ);
      return resampler.push(downmix(samples, channels));
    };
    for await (const chunk of audio) {
      pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
      if (!headerDone) {
        const wav = tryParseWav(pending, false);
        if (!wav) continue;
        headerDone = true;
        rate = wav.sampleRateHz;
        channels = wav.channels;
        dataLeft = wav.declaredBytes;
        pending = pending.subarray(wav.dataOffset);
      }
      const out = convert(pending);
      if (out && out.length > 0) yield out;
    }
    if (!headerDone) tryParseWav(pending, true); // throws the precise header error
  }
  return { chunks: chunks(), seconds: () => (rate > 0 ? inputFrames / rate : 0) };
}

/** The WAV header once complete; undefined while more bytes may complete it. */
function tryParseWav(bytes: Buffer, ended: boolean): { sampleRateHz: number; channels: number; dataOffset: number; declaredBytes: number } | undefined {
  try {
    const wav = parseWav(bytes);
    const declared = bytes.readUInt32LE(wav.dataOffset - 4);
    // Streaming writers put 0 or 0xFFFFFFFF in the size: read until the end then.
    const declaredBytes = declared === 0 || declared === 0xffffffff ? Infinity : declared;
    return { sampleRateHz: wav.sampleRateHz, channels: wav.channels, dataOffset: wav.dataOffset, declaredBytes };
  } catch (err) {
    const incomplete = bytes.length < 12 || /no data chunk|no fmt chunk|truncated/.test(String(err));
    if (incomplete && !ended && bytes.length < MAX_HEADER_BYTES) return undefined;
    if (ended && bytes.length >= 12 && /no data chunk|no fmt chunk|truncated/.test(String(err))) {
      throw invalidArgument("audio", `WAV header is incomplete: the stream ended after ${bytes.length} bytes (${String((err as Error).message)})`);
    }
    throw err;
  }
}
