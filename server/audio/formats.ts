// Which audio container bytes hold (magic-byte sniffing) and whether that matches
// the declared encoding, so a wrong config.encoding fails with a clear message
// instead of as an opaque upstream 400.
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { invalidArgument } from "../core/errors.js";
import { ascii, hex } from "./wav.js";

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
