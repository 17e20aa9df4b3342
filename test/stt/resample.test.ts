// Down-mixing and linear resampling (server/audio/resample.ts), and that
// flite speech at 8 kHz, 44.1 kHz and in stereo still transcribes after the
// provider converts it to 16 kHz mono on the fly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { downmix, LinearResampler, to16kMono, wrapPcm16 } from "../../server/audio/index.js";
import { chunks100ms, fliteWav, FLITE_TEXT, serveSphinx, streamTranscribe, wavConfig, wordAccuracy } from "./harness.js";

const int16 = (b: Buffer) => new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length - (b.length % 2)));
const bytes = (s: Int16Array) => Buffer.from(s.buffer, s.byteOffset, s.byteLength);

describe("resampling helpers", () => {
  it("chunked resampling equals resampling the whole signal", () => {
    const signal = Int16Array.from({ length: 4410 }, (_, i) => Math.round(10_000 * Math.sin(i / 7)));
    const whole = new LinearResampler(44_100, 16_000).push(signal);
    const streamed = new LinearResampler(44_100, 16_000);
    const parts: number[] = [];
    for (let at = 0; at < signal.length; at += 333) parts.push(...streamed.push(signal.subarray(at, at + 333)));
    expect(parts).toEqual([...whole]);
    expect(whole.length).toBeGreaterThanOrEqual(1599);
    expect(whole.length).toBeLessThanOrEqual(1600);
  });

  it("interpolates linearly when upsampling and keeps a constant signal constant", () => {
    expect([...new LinearResampler(8_000, 16_000).push(Int16Array.from([0, 100, 200]))]).toEqual([0, 50, 100, 150]);
    expect(new Set(new LinearResampler(48_000, 16_000).push(new Int16Array(480).fill(1234)))).toEqual(new Set([1234]));
    expect(new LinearResampler(16_000, 16_000).push(Int16Array.from([1, 2]))).toEqual(Int16Array.from([1, 2]));
  });

  it("down-mixes stereo by averaging", () => {
    expect([...downmix(Int16Array.from([100, 300, -50, 50]), 2)]).toEqual([200, 0]);
    expect(to16kMono(Int16Array.from([1000, 3000, 1000, 3000]), 16_000, 2)).toEqual(Int16Array.from([2000, 2000]));
  });
});

describe("pocketsphinx: other rates and channels", () => {
  let server: Awaited<ReturnType<typeof serveSphinx>>;
  let pcm16k: Int16Array;

  beforeAll(async () => {
    pcm16k = int16((await fliteWav()).subarray(44));
    server = await serveSphinx();
  });
  afterAll(() => server?.close());

  const at = (rate: number) => new LinearResampler(16_000, rate).push(pcm16k);

  // 8 kHz audio has nothing above 4 kHz, where the 16 kHz en-us model still looks: a lower bar.
  it.each([
    [8_000, 0.6],
    [44_100, 0.85],
  ])("a %i Hz WAV still transcribes", async (rate, bar) => {
    const wav = wrapPcm16(bytes(at(rate)), rate, 1);
    const r = await streamTranscribe(server.client, wavConfig(), chunks100ms(wav, rate * 2), 0);
    const accuracy = wordAccuracy(FLITE_TEXT, r.final!.text);
    console.log(`flite at ${rate} Hz: accuracy ${(accuracy * 100).toFixed(1)} %`);
    expect(accuracy).toBeGreaterThanOrEqual(bar);
    expect(r.final!.durationSeconds).toBeCloseTo(pcm16k.length / 16_000, 1);
  }, 60_000);

  it("44.1 kHz stereo raw PCM16 is down-mixed and transcribes", async () => {
    const mono = at(44_100);
    const stereo = new Int16Array(mono.length * 2);
    for (let i = 0; i < mono.length; i++) stereo[2 * i] = stereo[2 * i + 1] = mono[i]!;
    const config = wavConfig({ encoding: AudioEncoding.PCM16_LE, sampleRateHz: 44_100, channels: 2 });
    const r = await streamTranscribe(server.client, config, chunks100ms(bytes(stereo), 44_100 * 4), 0);
    expect(wordAccuracy(FLITE_TEXT, r.final!.text)).toBeGreaterThanOrEqual(0.75);
  }, 60_000);
});
