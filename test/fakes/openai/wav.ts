// Minimal RIFF/WAVE header reader for the fake upstream. Written apart from
// server/core/audio.ts on purpose: the fake checks hoosh's WAV output
// independently instead of agreeing with it by construction.

export interface WavHeader {
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  /** Sample bytes present (clamped to what was received). */
  dataBytes: number;
  durationSeconds: number;
}

/** null when `bytes` is not a well-formed PCM WAV. */
export function readWav(bytes: Buffer): WavHeader | null {
  if (bytes.length < 12 || bytes.toString("latin1", 0, 4) !== "RIFF" || bytes.toString("latin1", 8, 12) !== "WAVE") return null;
  let fmt: Omit<WavHeader, "dataBytes" | "durationSeconds"> | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString("latin1", offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt " && body + 16 <= bytes.length) {
      fmt = { channels: bytes.readUInt16LE(body + 2), sampleRateHz: bytes.readUInt32LE(body + 4), bitsPerSample: bytes.readUInt16LE(body + 14) };
    } else if (id === "data") {
      if (!fmt || fmt.sampleRateHz === 0 || fmt.channels === 0 || fmt.bitsPerSample === 0) return null;
      const dataBytes = Math.min(size, bytes.length - body);
      return { ...fmt, dataBytes, durationSeconds: dataBytes / (fmt.sampleRateHz * fmt.channels * (fmt.bitsPerSample / 8)) };
    }
    offset = body + size + (size % 2);
  }
  return null;
}
