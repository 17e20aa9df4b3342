// Every bad Transcribe input: its exact code and the field it names. None of
// them may reach the upstream.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { buildStack, requests, tone, toneWav, type ConfigInit, type Stack } from "./harness.js";

const { WAV, PCM16_LE, MP3 } = AudioEncoding;
const ALLOWED = "AUDIO_ENCODING_PCM16_LE, AUDIO_ENCODING_WAV, AUDIO_ENCODING_MP3, AUDIO_ENCODING_OGG_OPUS, AUDIO_ENCODING_FLAC, AUDIO_ENCODING_WEBM_OPUS";
const MAX = 10_000;
let fake: FakeOpenAI;
let stack: Stack;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  stack = buildStack(fake.baseUrl, { limits: { maxAudioBytes: MAX } });
}, 20_000);
afterAll(async () => {
  await stack?.close();
  await fake?.stop();
});

type Msg = { payload: { case: "config"; value: ConfigInit } | { case: "audio"; value: Uint8Array } | { case: undefined } };
async function* raw(...messages: Msg[]) {
  yield* messages;
}
const cfg = (value: ConfigInit): Msg => ({ payload: { case: "config", value } });
const aud = (value: Uint8Array): Msg => ({ payload: { case: "audio", value } });
const pcm = (c: ConfigInit) => ({ model: "whisper-1", encoding: PCM16_LE, sampleRateHz: 16_000, channels: 1, ...c });
const small = toneWav(0.1);

const CASES: [string, AsyncIterable<Msg>, string][] = [
  ["an empty stream", raw(), "config: the first message must carry config"],
  ["audio first", raw(aud(small)), "config: the first message must carry config"],
  ["a second config", raw(cfg({ model: "whisper-1", encoding: WAV }), aud(small), cfg({ model: "x" })), "config: message 3 of the stream carries a second config; only the first message may, later ones carry audio"],
  ["an empty later message", raw(cfg({ model: "whisper-1", encoding: WAV }), { payload: { case: undefined } }), "audio: message 2 of the stream is empty; messages after the config must carry audio"],
  ["no model", requests({ model: " ", encoding: WAV }, small), 'config.model: is required (e.g. "whisper-1")'],
  ["no encoding", requests({ model: "whisper-1" }, small), `config.encoding: AUDIO_ENCODING_UNSPECIFIED is not allowed; use one of: ${ALLOWED}`],
  ["an unknown encoding", requests({ model: "whisper-1", encoding: 99 as AudioEncoding }, small), `config.encoding: 99 is not allowed; use one of: ${ALLOWED}`],
  ["PCM without a rate", requests(pcm({ sampleRateHz: 0 }), tone(0.1)), "config.sample_rate_hz: 0 is out of range for AUDIO_ENCODING_PCM16_LE; allowed: 8000..48000"],
  ["PCM at 96 kHz", requests(pcm({ sampleRateHz: 96_000 }), tone(0.1)), "config.sample_rate_hz: 96000 is out of range for AUDIO_ENCODING_PCM16_LE; allowed: 8000..48000"],
  ["PCM without channels", requests(pcm({ channels: 0 }), tone(0.1)), "config.channels: 0 is not allowed for AUDIO_ENCODING_PCM16_LE; use 1 or 2"],
  ["PCM with 6 channels", requests(pcm({ channels: 6 }), tone(0.1)), "config.channels: 6 is not allowed for AUDIO_ENCODING_PCM16_LE; use 1 or 2"],
  ["PCM with half a frame", requests(pcm({ channels: 2 }), tone(0.1).subarray(0, 3198)), "audio: 3198 bytes is not a whole number of 4-byte PCM16 frames (2 channel(s))"],
  ["a WAV sent as PCM", requests(pcm({}), small), "config.encoding: AUDIO_ENCODING_PCM16_LE was declared but the audio looks like a WAV file (RIFF/WAVE); declare AUDIO_ENCODING_WAV"],
  ["a WAV whose rate disagrees", requests({ model: "whisper-1", encoding: WAV, sampleRateHz: 8000 }, small), "config.sample_rate_hz: 8000 does not match the WAV header's 16000 Hz; set it to match or leave it 0"],
  ["a WAV whose channels disagree", requests({ model: "whisper-1", encoding: WAV, channels: 2 }, small), "config.channels: 2 does not match the WAV header's 1 channel(s); set it to match or leave it 0"],
  ["garbage declared as WAV", requests({ model: "whisper-1", encoding: WAV }, Buffer.from("definitely not audio")), "audio: is not a WAV file: no RIFF/WAVE header (first bytes: 64 65 66 69 6e 69 74 65)"],
  ["a WAV declared as MP3", requests({ model: "whisper-1", encoding: MP3 }, small), "config.encoding: AUDIO_ENCODING_MP3 was declared but the audio looks like a WAV file (RIFF/WAVE); declare AUDIO_ENCODING_WAV"],
  ["a language name", requests({ model: "whisper-1", encoding: WAV, language: "English" }, small), 'config.language: "English" is not a language code; use ISO-639 / BCP-47 such as "en" or "pt-BR", or leave it empty to detect'],
  ["a POSIX locale", requests({ model: "whisper-1", encoding: WAV, language: "en_US" }, small), 'config.language: "en_US" is not a language code; use ISO-639 / BCP-47 such as "en" or "pt-BR", or leave it empty to detect'],
  ["too much audio", requests({ model: "whisper-1", encoding: WAV }, toneWav(0.25).subarray(0, 6000), new Uint8Array(6000)), `audio: exceeds the limit of ${MAX} bytes (0.01 MiB) after message 3`],
  ["no audio", requests({ model: "whisper-1", encoding: WAV }), "audio: no audio received"],
  ["only empty audio chunks", requests({ model: "whisper-1", encoding: WAV }, new Uint8Array(0), new Uint8Array(0)), "audio: no audio received"],
];

describe("bad Transcribe input is InvalidArgument naming the field", () => {
  it.each(CASES)("%s", async (_, input, message) => {
    const err = await stack.client.transcribe(input).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toBe(message);
  });

  it("a language tag with subtags is fine", async () => {
    const res = await stack.client.transcribe(requests({ model: "whisper-1", encoding: WAV, language: "zh-Hant-TW" }, small));
    expect(res.language).toBe("zh");
  });

  it("none of the bad requests reached the upstream", async () => {
    const seen = (await fake.events()).filter((e) => e.type === "request");
    expect(seen.map((e) => e.model)).toEqual(["whisper-1"]); // only the good one just above
  });
});
