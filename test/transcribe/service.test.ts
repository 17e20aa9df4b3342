// TranscribeService end to end in memory: Connect router -> Transcription ->
// OpenAIProvider -> pooled undici transport -> the fake upstream process.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import type { Provider } from "../../server/providers/provider.js";
import type { UploadRecord } from "../fakes/openai/transcriptions.js";
import { startFakeOpenAI, type FakeOpenAI, type FakeRequestEvent } from "../fakes/spawn.js";
import { buildStack, chunks, openai, requests, tone, toneWav, type Stack } from "./harness.js";

const JFK = fileURLToPath(new URL("../../../shared/audio/jfk.wav", import.meta.url));
const WAV = AudioEncoding.WAV;
let fake: FakeOpenAI;
let stack: Stack;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  stack = buildStack(fake.baseUrl);
}, 20_000);
afterAll(async () => {
  await stack?.close();
  await fake?.stop();
});
beforeEach(async () => {
  await fake.reset();
});

/** The uploads the fake received, in order. */
async function uploads(): Promise<UploadRecord[]> {
  const events = (await fake.events()).filter((e): e is FakeRequestEvent => e.type === "request" && e.path === "/v1/audio/transcriptions");
  return events.map((e) => e.body as UploadRecord);
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

describe("Transcribe over the OpenAI wire format", () => {
  it("sends a WAV that arrived in several chunks as one multipart file", async () => {
    const wav = toneWav(2);
    const res = await stack.client.transcribe(requests({ model: "whisper-1", encoding: WAV }, ...chunks(wav, 7)));
    expect(res.text).toBe(`transcribed ${wav.length} bytes of wav audio at 16000 Hz`);
    expect(res).toMatchObject({ model: "whisper-1", language: "en", durationSeconds: 2 });
    expect(res.usage).toMatchObject({ provider: "fake", inputTokens: 0, outputTokens: 0, audioTokens: 0 });
    expect(res.segments.map((s) => [s.startSeconds, s.endSeconds, s.text])).toEqual([
      [0, 1.111, "transcribed 64044 bytes of wav"],
      [1.111, 2, "audio at 16000 Hz"],
    ]);
    const [upload] = await uploads();
    expect(upload!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload!.file).toEqual({ filename: "audio.wav", contentType: "audio/wav", bytes: wav.length });
    expect(upload!.fields).toEqual({ model: "whisper-1", response_format: "verbose_json", "timestamp_granularities[]": "segment" });
  });

  it("wraps PCM16_LE in a WAV header before upload", async () => {
    const pcm = tone(1, 22_050, 2);
    const res = await stack.client.transcribe(requests({ model: "whisper-1", encoding: AudioEncoding.PCM16_LE, sampleRateHz: 22_050, channels: 2 }, ...chunks(pcm, 3)));
    expect(res.text).toBe(`transcribed ${pcm.length + 44} bytes of wav audio at 22050 Hz`);
    expect(res.durationSeconds).toBe(1);
    expect((await uploads())[0]!.file).toEqual({ filename: "audio.wav", contentType: "audio/wav", bytes: pcm.length + 44 });
  });

  it("asks for word timestamps and nests each word in its segment", async () => {
    const res = await stack.client.transcribe(requests({ model: "whisper-1", encoding: WAV, wordTimestamps: true }, toneWav(2)));
    expect((await uploads())[0]!.fields["timestamp_granularities[]"]).toEqual(["segment", "word"]);
    expect(res.segments.map((s) => s.words.map((w) => w.word))).toEqual([
      ["transcribed", "64044", "bytes", "of", "wav"],
      ["audio", "at", "16000", "Hz"],
    ]);
    for (const s of res.segments) {
      for (const w of s.words) {
        expect(w.startSeconds).toBeGreaterThanOrEqual(s.startSeconds);
        expect(w.endSeconds).toBeLessThanOrEqual(s.endSeconds + 1e-9);
      }
    }
  });

  it("passes the language hint (primary subtag, as OpenAI wants) and the prompt", async () => {
    const res = await stack.client.transcribe(requests({ model: "whisper-1", encoding: WAV, language: "pt-BR", prompt: "echo: olá mundo" }, toneWav(1)));
    expect(res).toMatchObject({ text: "olá mundo", language: "pt" });
    expect((await uploads())[0]!.fields).toMatchObject({ language: "pt", prompt: "echo: olá mundo" });
  });

  it("sends other encodings with their own filename and content type", async () => {
    const mp3 = Buffer.concat([Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x00", "latin1"), Buffer.alloc(16_000 * 3 - 10, 0x55)]);
    const res = await stack.client.transcribe(requests({ model: "whisper-1", encoding: AudioEncoding.MP3 }, mp3));
    expect(res).toMatchObject({ text: `transcribed ${mp3.length} bytes of mp3 audio`, durationSeconds: 3 });
    expect((await uploads())[0]!.file).toEqual({ filename: "audio.mp3", contentType: "audio/mpeg", bytes: mp3.length });
  });

  it("retries gpt-4o-*-transcribe with json and maps its token usage", async () => {
    const res = await stack.client.transcribe(requests({ model: "gpt-4o-mini-transcribe", encoding: WAV, wordTimestamps: true }, toneWav(2)));
    expect(res).toMatchObject({ text: "transcribed 64044 bytes of wav audio at 16000 Hz", segments: [], durationSeconds: 2 });
    expect(res.usage).toMatchObject({ provider: "fake", inputTokens: 20, audioTokens: 20, outputTokens: 9 });
    const sent = await uploads();
    expect(sent.map((u) => u.fields.response_format)).toEqual(["verbose_json", "json"]);
    expect(sent[1]!.fields["timestamp_granularities[]"]).toBeUndefined();
  });

  it("transcribes the real jfk.wav when it is present", async () => {
    let wav: Buffer;
    if (existsSync(JFK)) {
      wav = readFileSync(JFK);
    } else {
      console.log(`jfk.wav is absent (${JFK}); sending a generated 11 s WAV instead`);
      wav = toneWav(11);
    }
    const res = await stack.client.transcribe(requests({ model: "whisper-1", encoding: WAV, sampleRateHz: 16_000, channels: 1 }, ...chunks(wav, 20)));
    expect(res.text).toBe(`transcribed ${wav.length} bytes of wav audio at 16000 Hz`);
    expect(res.durationSeconds).toBeCloseTo(11, 0);
    expect((await uploads())[0]!.file!.bytes).toBe(wav.length);
  });
});

describe("upstream errors", () => {
  it.each([
    ["fake-401", Code.Unauthenticated, /HTTP 401: Incorrect API key/],
    ["fake-429", Code.ResourceExhausted, /HTTP 429: Rate limit reached/],
    ["fake-503", Code.Unavailable, /HTTP 503: The engine is currently overloaded/],
    ["fake-400", Code.InvalidArgument, /HTTP 400/],
  ])("%s maps to %s", async (model, code, message) => {
    const err = await failure(stack.client.transcribe(requests({ model, encoding: WAV }, toneWav(0.5))));
    expect(err.code).toBe(code);
    expect(err.rawMessage).toMatch(/provider "fake"/);
    expect(err.rawMessage).toMatch(message);
  });
});

/** A provider that serves chat but cannot transcribe. */
const chatOnly = (name: string): Provider => ({
  name,
  type: "stub",
  locality: Locality.LOCAL,
  generate: () => Promise.reject(new Error("unused")),
  generateStream: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("unused")) }) }),
  embed: () => Promise.reject(new Error("unused")),
  listModels: async () => [],
  close: async () => {},
});

describe("routing", () => {
  it("skips providers that cannot transcribe", async () => {
    const s = buildStack(fake.baseUrl, { providers: (t) => [chatOnly("chat-a"), openai("fake", fake.baseUrl, t)] });
    const res = await s.client.transcribe(requests({ model: "whisper-1", encoding: WAV }, toneWav(0.5)));
    expect(res.usage?.provider).toBe("fake");
    await s.close();
  });

  it("FailedPrecondition naming the model and the providers when none can transcribe", async () => {
    const s = buildStack(fake.baseUrl, { providers: () => [chatOnly("chat-a"), chatOnly("chat-b")] });
    const err = await failure(s.client.transcribe(requests({ model: "whisper-1", encoding: WAV }, toneWav(0.5))));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toBe('model "whisper-1" is served by "chat-a", "chat-b", but none of them can transcribe audio');
    await s.close();
  });

  it("falls back to the next provider on a retryable error", async () => {
    // Port 1 on loopback refuses connections: Unavailable, which is retryable.
    const s = buildStack(fake.baseUrl, { providers: (t) => [openai("down", "http://127.0.0.1:1/v1", t), openai("fake", fake.baseUrl, t)] });
    const res = await s.client.transcribe(requests({ model: "whisper-1", encoding: WAV }, toneWav(0.5)));
    expect(res.usage?.provider).toBe("fake");
    await s.close();
  });

  it("does not fall back on a caller error (401)", async () => {
    const s = buildStack(fake.baseUrl, { providers: (t) => [openai("fake", fake.baseUrl, t), openai("fake-2", fake.baseUrl, t)] });
    const err = await failure(s.client.transcribe(requests({ model: "fake-401", encoding: WAV }, toneWav(0.5))));
    expect(err.code).toBe(Code.Unauthenticated);
    expect(await uploads()).toHaveLength(1);
    await s.close();
  });

  it("falls back past a 503 to the next provider", async () => {
    // Both point at the fake; only the model decides, so the 503 repeats: two attempts, then the last error.
    const s = buildStack(fake.baseUrl, { providers: (t) => [openai("fake", fake.baseUrl, t), openai("fake-2", fake.baseUrl, t)] });
    const err = await failure(s.client.transcribe(requests({ model: "fake-503", encoding: WAV }, toneWav(0.5))));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/provider "fake-2"/);
    expect(await uploads()).toHaveLength(2);
    await s.close();
  });
});
