// Microphone recording where the browser allows it (getUserMedia + MediaRecorder), turned into a
// 16 kHz mono WAV (the browser decodes its own recording), which every speech-to-text engine takes.
import { encodeWav } from "./wav.js";

const RATE = 16_000;

export function canRecord(): boolean {
  return typeof MediaRecorder !== "undefined" && !!navigator.mediaDevices?.getUserMedia;
}

export interface Recording {
  /** Seconds recorded so far. */
  seconds(): number;
  /** Stops recording; resolves with the WAV bytes. */
  stop(): Promise<Uint8Array>;
}

export async function startRecording(): Promise<Recording> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const recorder = new MediaRecorder(stream);
  const parts: Blob[] = [];
  recorder.ondataavailable = (e) => parts.push(e.data);
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  recorder.start();
  const started = performance.now();
  return {
    seconds: () => (performance.now() - started) / 1000,
    async stop() {
      recorder.stop();
      await stopped;
      for (const t of stream.getTracks()) t.stop();
      const encoded = await new Blob(parts, { type: recorder.mimeType }).arrayBuffer();
      // An OfflineAudioContext at 16 kHz resamples and mixes down to mono as it decodes.
      const ctx = new OfflineAudioContext(1, RATE, RATE);
      const audio = await ctx.decodeAudioData(encoded);
      const mono = new Float32Array(audio.length);
      for (let c = 0; c < audio.numberOfChannels; c++) {
        const data = audio.getChannelData(c);
        for (let i = 0; i < data.length; i++) mono[i]! += data[i]! / audio.numberOfChannels;
      }
      return encodeWav(mono, audio.sampleRate);
    },
  };
}
