// Bad input to the pocketsphinx provider over the wire: each case answers a
// clear error naming the field, the server keeps serving, and cancellation or
// failure mid-stream hands the decoder back to the pool.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { chunks100ms, fliteWav, serveSphinx, streamTranscribe, wavConfig, wordAccuracy } from "./harness.js";

let server: Awaited<ReturnType<typeof serveSphinx>>;
let flite: Buffer;
const LIMIT = 400_000;

beforeAll(async () => {
  flite = await fliteWav("Testing one two three.");
  server = await serveSphinx({ decoders: 1, maxQueue: 0 }, { maxAudioBytes: LIMIT });
});
afterAll(() => server?.close());

async function failure(run: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await run();
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

const stream = (config: Parameters<typeof streamTranscribe>[1], audio: Buffer[]) => () => streamTranscribe(server.client, config, audio, 0);

describe("pocketsphinx: bad input", () => {
  it.each([
    ["truncated WAV header", wavConfig(), () => [flite.subarray(0, 30)], Code.InvalidArgument, /audio: .*WAV/],
    ["not a WAV at all", wavConfig(), () => [Buffer.alloc(2000, 1)], Code.InvalidArgument, /audio: is not a WAV file/],
    ["sample rate claim contradicts the header", wavConfig({ sampleRateHz: 8000 }), () => [flite], Code.InvalidArgument, /config.sample_rate_hz: 8000 does not match the WAV header's 16000 Hz/],
    ["empty stream", wavConfig(), () => [], Code.InvalidArgument, /audio: no audio received/],
    ["oversized", wavConfig(), () => chunks100ms(Buffer.concat([flite, Buffer.alloc(LIMIT)]), 32_000), Code.InvalidArgument, /audio: exceeds the limit of 400000 bytes/],
    ["unsupported language", wavConfig({ language: "fr" }), () => [flite], Code.InvalidArgument, /config.language: "fr" is not supported by provider "sphinx"; supported: "en"/],
    ["compressed encoding", wavConfig({ encoding: AudioEncoding.MP3 }), () => [Buffer.from([0xff, 0xfb, 0x90, 0x00, ...Array(20).fill(0)])], Code.InvalidArgument, /config.encoding: AUDIO_ENCODING_MP3 is not supported by provider "sphinx"/],
  ])("%s", async (_name, config, audio, code, message) => {
    const err = await failure(stream(config, audio()));
    expect(err.code).toBe(code);
    expect(err.rawMessage).toMatch(message);
    expect(server.provider.decoderStats.busy).toBe(0);
  });

  it("config missing (audio first)", async () => {
    async function* reqs() {
      yield { payload: { case: "audio" as const, value: flite } };
    }
    const err = await failure(async () => {
      for await (const _ of server.client.transcribeStream(reqs()));
    });
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/config: the first message must carry config/);
  });

  it("still transcribes after all of that", async () => {
    const r = await streamTranscribe(server.client, wavConfig(), chunks100ms(flite, 32_000), 0);
    expect(wordAccuracy("testing one two three", r.final!.text)).toBeGreaterThanOrEqual(0.75);
  });
});

describe("pocketsphinx: capacity and cancellation", () => {
  it("cancelling mid-stream frees the decoder for the next request", async () => {
    const controller = new AbortController();
    const chunks = chunks100ms(Buffer.concat([flite, flite.subarray(44), flite.subarray(44)]), 32_000);
    const run = streamTranscribe(server.client, wavConfig(), chunks, 50, controller.signal);
    await new Promise((r) => setTimeout(r, 400));
    expect(server.provider.decoderStats.busy).toBe(1);
    controller.abort();
    const err = await failure(() => run);
    expect(err.code).toBe(Code.Canceled);
    await expect.poll(() => server.provider.decoderStats, { timeout: 5_000 }).toMatchObject({ busy: 0, idle: 1 });
    const r = await streamTranscribe(server.client, wavConfig(), chunks100ms(flite, 32_000), 0);
    expect(r.final!.text.length).toBeGreaterThan(0);
  });

  it("answers RESOURCE_EXHAUSTED when every decoder is busy and the queue is full", async () => {
    const slow = streamTranscribe(server.client, wavConfig(), chunks100ms(flite, 32_000), 60);
    await expect.poll(() => server.provider.decoderStats.busy).toBe(1);
    const err = await failure(stream(wavConfig(), [flite]));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toMatch(/provider "sphinx" is busy/);
    await slow;
    expect(server.provider.decoderStats).toMatchObject({ busy: 0, idle: 1, created: 1 });
  });
});

describe("pocketsphinx: broken model paths", () => {
  it("FAILED_PRECONDITION naming the missing path; no decoder is kept", async () => {
    const broken = await serveSphinx({ dict_path: "/nonexistent/cmudict.dict" });
    try {
      const err = await failure(() => streamTranscribe(broken.client, wavConfig(), [flite], 0));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.rawMessage).toMatch(/pocketsphinx dict_path "\/nonexistent\/cmudict.dict" does not exist/);
      expect(broken.provider.decoderStats).toMatchObject({ created: 0, busy: 0 });
    } finally {
      await broken.close();
    }
  });
});
