// Audio bytes as clients send them: WAV parsing, raw PCM16 wrapping, durations
// and magic-byte sniffing, so a wrong config.encoding fails here with a clear
// message instead of as an opaque upstream 400.
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { invalidArgument } from "../core/errors.js";

export interface WavInfo {
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  /** Offset of the first sample byte. */
  dataOffset: number;
  /** Sample bytes actually present (a streamed WAV may declare more or 0xFFFFFFFF). */
  dataBytes: number;
  durationSeconds: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const ascii = (b: Uint8Array, at: number) => String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Parses a RIFF/WAVE header; only PCM 16-bit is accepted (what every speech API takes). */
export function parseWav(bytes: Uint8Array): WavInfo {
  if (bytes.length < 12 || ascii(bytes, 0) !== "RIFF" || ascii(bytes, 8) !== "WAVE") {
    throw invalidArgument("audio", `is not a WAV file: no RIFF/WAVE header (first bytes: ${hex(bytes)})`);
  }
  const dv = view(bytes);
  let fmt: Omit<WavInfo, "dataOffset" | "dataBytes" | "durationSeconds"> | undefined;
  // Chunks may come in any order and include LIST/fact/etc.; walk them all.
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(bytes, at);
    const size = dv.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw invalidArgument("audio", `WAV fmt chunk is truncated (${size} bytes)`);
      const format = dv.getUint16(body, true);
      const bitsPerSample = dv.getUint16(body + 14, true);
      // EXTENSIBLE stores the real format in the first two bytes of its sub-format GUID.
      const real = format === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= bytes.length ? dv.getUint16(body + 24, true) : format;
      if (real !== WAVE_FORMAT_PCM || bitsPerSample !== 16) {
        throw invalidArgument("audio", `WAV holds format ${real} at ${bitsPerSample} bits per sample; only PCM (1) 16-bit is supported`);
      }
      fmt = { channels: dv.getUint16(body + 2, true), sampleRateHz: dv.getUint32(body + 4, true), bitsPerSample };
      if (fmt.channels === 0 || fmt.sampleRateHz === 0) {
        throw invalidArgument("audio", `WAV header declares ${fmt.channels} channels at ${fmt.sampleRateHz} Hz`);
      }
    } else if (id === "data") {
      if (!fmt) throw invalidArgument("audio", "WAV data chunk comes before its fmt chunk");
      const dataBytes = Math.min(size, bytes.length - body);
      return { ...fmt, dataOffset: body, dataBytes, durationSeconds: pcm16Duration(dataBytes, fmt.sampleRateHz, fmt.channels) };
    }
    at = body + size + (size % 2); // chunks are padded to even sizes
  }
  throw invalidArgument("audio", fmt ? "WAV has no data chunk" : "WAV has no fmt chunk");
}

/** Seconds of audio in `bytes` of 16-bit PCM. */
export function pcm16Duration(bytes: number, sampleRateHz: number, channels: number): number {
  return sampleRateHz > 0 && channels > 0 ? bytes / (sampleRateHz * channels * 2) : 0;
}

/** Raw PCM16 LE in a canonical 44-byte WAV header, for APIs that take files. */
export function wrapPcm16(pcm: Uint8Array, sampleRateHz: number, channels: number): Buffer {
  const out = Buffer.alloc(44 + pcm.length);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + pcm.length, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRateHz, 24);
  out.writeUInt32LE(sampleRateHz * channels * 2, 28); // byte rate
  out.writeUInt16LE(channels * 2, 32); // block align
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(pcm.length, 40);
  out.set(pcm, 44);
  return out;
}

export type SniffedFormat = "wav" | "mp3" | "ogg" | "flac" | "webm" | "unknown";

const LOOKS_LIKE: Record<SniffedFormat, string> = {
  wav: "a WAV file (RIFF/WAVE)",
  mp3: "MP3 (ID3 tag or MPEG audio frame sync)",
  ogg: "Ogg (OggS)",
  flac: "FLAC (fLaC)",
  webm: "WebM/Matroska (EBML 1A 45 DF A3)",
  unknown: "none of WAV, MP3, Ogg, FLAC or WebM",
};

/** What the first bytes say the container is. */
export function sniffFormat(b: Uint8Array): SniffedFormat {
  const head = ascii(b, 0);
  if (head === "RIFF" && ascii(b, 8) === "WAVE") return "wav";
  if (head === "OggS") return "ogg";
  if (head === "fLaC") return "flac";
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "webm";
  if (head.startsWith("ID3")) return "mp3";
  // MPEG audio frame: 11 sync bits, version not "reserved" (01), layer not "reserved" (00; that is AAC ADTS).
  const b1 = b[1] ?? 0;
  if (b[0] === 0xff && (b1 & 0xe0) === 0xe0 && (b1 & 0x18) !== 0x08 && (b1 & 0x06) !== 0) return "mp3";
  return "unknown";
}

const EXPECTED: Partial<Record<AudioEncoding, SniffedFormat>> = {
  [AudioEncoding.WAV]: "wav",
  [AudioEncoding.MP3]: "mp3",
  [AudioEncoding.OGG_OPUS]: "ogg",
  [AudioEncoding.FLAC]: "flac",
  [AudioEncoding.WEBM_OPUS]: "webm",
};

export const encodingName = (e: AudioEncoding): string => (AudioEncoding[e] ? `AUDIO_ENCODING_${AudioEncoding[e]}` : String(e));

const SUGGEST: Partial<Record<SniffedFormat, AudioEncoding>> = {
  wav: AudioEncoding.WAV,
  mp3: AudioEncoding.MP3,
  ogg: AudioEncoding.OGG_OPUS,
  flac: AudioEncoding.FLAC,
  webm: AudioEncoding.WEBM_OPUS,
};

/**
 * Checks the bytes against the declared encoding. Compressed formats must
 * carry their magic; raw PCM must not look like a known container (a WAV sent
 * as PCM16_LE would be transcribed with its header as noise).
 */
export function checkEncoding(encoding: AudioEncoding, bytes: Uint8Array): void {
  const seen = sniffFormat(bytes);
  const want = EXPECTED[encoding];
  const ok = want === undefined ? seen === "unknown" : seen === want || (want === "wav" && seen === "unknown");
  if (ok) return; // an unrecognised "WAV" is left to parseWav, whose message is more precise
  const suggestion = SUGGEST[seen];
  const hint = suggestion === undefined ? "" : `; declare ${encodingName(suggestion)}`;
  const detail = seen === "unknown" ? `${LOOKS_LIKE.unknown} (first bytes: ${hex(bytes)})` : LOOKS_LIKE[seen];
  throw invalidArgument("config.encoding", `${encodingName(encoding)} was declared but the audio looks like ${detail}${hint}`);
}

function hex(b: Uint8Array): string {
  return Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, "0")).join(" ") || "(none)";
}

/** Averages interleaved PCM16 channels into one (no-op for mono). */
export function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Streaming linear-interpolation resampler for mono PCM16 (speech engines want
 * 16 kHz). Each output sample interpolates the two input samples around its
 * position; the last input sample is carried to the next push, so chunk edges
 * are seamless and the output equals resampling the whole signal at once.
 * There is no anti-alias filter: downsampling folds content above the new
 * Nyquist frequency back into the band. Speech has little energy above
 * 8 kHz, and pocketsphinx's 16 kHz front end measurably still recognises
 * 44.1 kHz and 8 kHz input (test/stt/resample.test.ts); use a windowed-sinc
 * filter instead if music or wideband noise must be handled.
 */
export class LinearResampler {
  /** Index of the next output sample; its input position is k * fromHz / toHz (exact integer math, no drift). */
  private k = 0;
  /** Absolute input index of the next push's first sample. */
  private base = 0;
  private prev: number | undefined;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {}

  push(input: Int16Array): Int16Array {
    if (this.fromHz === this.toHz || input.length === 0) return input;
    const carry = this.prev !== undefined ? 1 : 0;
    const first = this.base - carry; // absolute index of buffer element 0
    const last = this.base + input.length - 1;
    const at = (abs: number) => (abs < this.base ? this.prev! : input[abs - this.base]!);
    const out = new Int16Array(Math.max(0, Math.ceil(((last - first + 1) * this.toHz) / this.fromHz) + 1));
    let n = 0;
    for (; ; this.k++) {
      const scaled = this.k * this.fromHz;
      const i = Math.floor(scaled / this.toHz);
      if (i >= last) break; // needs input i + 1
      const frac = (scaled - i * this.toHz) / this.toHz;
      out[n++] = Math.round(at(i) * (1 - frac) + at(i + 1) * frac);
    }
    this.base = last + 1;
    this.prev = input[input.length - 1];
    return out.subarray(0, n);
  }
}

/** Interleaved PCM16 at any rate and channel count → 16 kHz mono, in one go. */
export function to16kMono(samples: Int16Array, sampleRateHz: number, channels: number): Int16Array {
  return new LinearResampler(sampleRateHz, 16_000).push(downmix(samples, channels));
}
