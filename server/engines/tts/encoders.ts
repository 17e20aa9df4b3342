// Streaming encoders for the local TTS engine's 16-bit mono PCM: WAV (a header whose sizes are
// 0xFFFFFFFF, as streamed WAV is written when the length is not known yet; readers take the
// data to the end of the stream), raw PCM16 LE, and MP3 (pure-JavaScript LAME, npm
// @breezystack/lamejs, 64 kbit/s mono: plenty for speech).
import { Mp3Encoder } from "@breezystack/lamejs";

export type LocalFormat = "wav" | "pcm" | "mp3";

export interface AudioEncoder {
  /** Bytes for the next samples (may be empty: MP3 frames fill up first). */
  push(pcm: Int16Array): Uint8Array;
  /** The last bytes. */
  end(): Uint8Array;
}

export const CONTENT_TYPES: Record<LocalFormat, string> = { wav: "audio/wav", pcm: "audio/pcm", mp3: "audio/mpeg" };

const MP3_KBPS = 64;

export function createEncoder(format: LocalFormat, rate: number): AudioEncoder {
  switch (format) {
    case "pcm":
      return { push: pcmBytes, end: () => new Uint8Array(0) };
    case "wav": {
      let header: Uint8Array | undefined = streamingWavHeader(rate);
      return {
        push: (pcm) => {
          const bytes = pcmBytes(pcm);
          if (!header) return bytes;
          const out = Buffer.concat([header, bytes]);
          header = undefined;
          return out;
        },
        end: () => header ?? new Uint8Array(0),
      };
    }
    case "mp3": {
      const mp3 = new Mp3Encoder(1, rate, MP3_KBPS);
      // Copies: the encoder may reuse its output buffer.
      const copy = (b: Uint8Array | Int8Array) => new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      return { push: (pcm) => copy(mp3.encodeBuffer(pcm)), end: () => copy(mp3.flush()) };
    }
  }
}

/** Little-endian bytes of the samples (no copy on little-endian hosts). */
function pcmBytes(pcm: Int16Array): Uint8Array {
  return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** A 44-byte PCM16 mono header; RIFF and data sizes 0xFFFFFFFF (length unknown while streaming). */
export function streamingWavHeader(rate: number, dataBytes = 0xffffffff): Buffer {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(dataBytes === 0xffffffff ? 0xffffffff : 36 + dataBytes, 4);
  h.write("WAVEfmt ", 8, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
