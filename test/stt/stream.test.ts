// pocketsphinx behind TranscribeStream over a real HTTP/2 socket: flite speech
// streamed in 100 ms chunks comes back as partials while audio still flows,
// then a final with >= 85 % word accuracy. jfk.wav's accuracy (human speech, low for
// pocketsphinx) is a measurement: bench/stt.ts reports it.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { chunks100ms, fliteWav, FLITE_TEXT, JFK_TEXT, JFK_WAV, jfkWav, serveSphinx, streamTranscribe, wavConfig, wordAccuracy } from "./harness.js";

let server: Awaited<ReturnType<typeof serveSphinx>>;
let flite: Buffer;

beforeAll(async () => {
  flite = await fliteWav();
  server = await serveSphinx();
});
afterAll(() => server?.close());

describe("TranscribeStream with pocketsphinx", () => {
  it("streams partials before the last chunk is sent, then an accurate final", async () => {
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const r = await streamTranscribe(server.client, wavConfig({ wordTimestamps: true }), chunks100ms(flite, 32_000), 40);
    lag.disable();
    const accuracy = wordAccuracy(FLITE_TEXT, r.final!.text);
    console.log(`flite (16 kHz): accuracy ${(accuracy * 100).toFixed(1)} %, ${r.partials.length} partials; event loop max delay ${(lag.max / 1e6).toFixed(1)} ms`);
    console.log(`  heard: "${r.final!.text}"`);
    expect(r.partials.length).toBeGreaterThan(0);
    expect(r.partials[0]!.at).toBeLessThan(r.lastChunkSentAt);
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(r.final!.provider).toBe("sphinx");
    expect(r.final!.durationSeconds).toBeCloseTo((flite.length - 44) / 32_000, 1);
    expect(r.final!.segments).toBeGreaterThan(0);
    expect(server.provider.decoderStats).toMatchObject({ busy: 0, idle: 1 });
  }, 60_000);

  it("Transcribe (unary) uses the same engine and returns timed segments", async () => {
    async function* reqs() {
      yield { payload: { case: "config" as const, value: wavConfig({ wordTimestamps: true }) } };
      for (const value of chunks100ms(flite, 32_000)) yield { payload: { case: "audio" as const, value } };
    }
    const res = await server.client.transcribe(reqs());
    expect(wordAccuracy(FLITE_TEXT, res.text)).toBeGreaterThanOrEqual(0.85);
    expect(res.segments.length).toBeGreaterThan(0);
    const words = res.segments.flatMap((s) => s.words);
    expect(words.length).toBeGreaterThan(10);
    for (const w of words) expect(w.endSeconds).toBeGreaterThan(w.startSeconds);
    expect(words.at(-1)!.endSeconds).toBeLessThanOrEqual(res.durationSeconds + 0.05);
    expect(res.usage?.provider).toBe("sphinx");
  }, 60_000);

  it("accepts raw PCM16 sent in chunks that split samples", async () => {
    const pcm = flite.subarray(44);
    const odd = [] as Buffer[];
    for (let at = 0; at < pcm.length; at += 3201) odd.push(pcm.subarray(at, at + 3201));
    const r = await streamTranscribe(server.client, wavConfig({ encoding: AudioEncoding.PCM16_LE, sampleRateHz: 16_000, channels: 1 }), odd, 0);
    expect(wordAccuracy(FLITE_TEXT, r.final!.text)).toBeGreaterThanOrEqual(0.85);
  }, 60_000);
});
