// WAV as clients send it: RIFF/WAVE header parsing, raw PCM16 wrapping and
// durations. Neutral: the core (validation), the speech engines and the
// providers that upload files all read audio through here.
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
/** Four bytes at `at` as ASCII (chunk ids, magic numbers). */
export const ascii = (b: Uint8Array, at: number): string => String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
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

/** The first bytes in hex, to say what a file that is not audio starts with (the caller's own upload). */
export function hex(b: Uint8Array): string {
  return Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, "0")).join(" ") || "(none)";
}
