// WAV bytes in the browser: recorded audio (decoded by the browser) encoded as 16-bit mono WAV for
// TranscribeFile, and a streamed WAV's unknown sizes (0xFFFFFFFF) filled in once the whole file is
// here, so the <audio> element knows its duration.

/** Mono PCM samples (-1..1) as a RIFF/WAVE file, 16-bit. */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(out.buffer);
  const text = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  v.setUint32(4, out.length - 8, true);
  text(8, "WAVE");
  text(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, "data");
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + i * 2, Math.max(-1, Math.min(1, samples[i]!)) * 0x7fff, true);
  return out;
}

/** A whole WAV file whose RIFF and data sizes were left unknown while it streamed, with them set (in place). */
export function fixStreamedWavSizes<T extends Uint8Array>(wav: T): T {
  if (wav.length < 12) return wav;
  const v = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const tag = (at: number) => String.fromCharCode(wav[at]!, wav[at + 1]!, wav[at + 2]!, wav[at + 3]!);
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") return wav;
  v.setUint32(4, wav.length - 8, true);
  // Walk the chunks to "data": its size is the rest of the file.
  for (let at = 12; at + 8 <= wav.length; ) {
    const size = v.getUint32(at + 4, true);
    if (tag(at) === "data") {
      v.setUint32(at + 4, wav.length - at - 8, true);
      break;
    }
    at += 8 + size + (size % 2);
  }
  return wav;
}
