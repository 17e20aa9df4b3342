// The fake upstream's POST /v1/audio/transcriptions, spoken to with plain fetch
// (so hoosh's own encoder is not what makes these pass).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI, type FakeRequestEvent } from "../fakes/spawn.js";
import type { UploadRecord } from "../fakes/openai/transcriptions.js";
import { toneWav } from "./harness.js";

type Json = Record<string, any>;
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
}, 20_000);
afterAll(async () => {
  await fake?.stop();
});

function form(fields: Record<string, string | string[]>, file?: { bytes: Uint8Array; name: string; type: string }): FormData {
  const f = new FormData();
  if (file) f.append("file", new Blob([file.bytes], { type: file.type }), file.name);
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) f.append(k, one);
  return f;
}
const post = (body: FormData | string, headers: Record<string, string> = {}) =>
  fetch(`${fake.baseUrl}/audio/transcriptions`, { method: "POST", body, headers });
const wav = toneWav(2); // 2 s at 16 kHz mono: 64 044 bytes

describe("fake POST /v1/audio/transcriptions", () => {
  it("answers verbose_json from the WAV header and records the upload", async () => {
    await fake.reset();
    const res = await post(form({ model: "whisper-1", response_format: "verbose_json", "timestamp_granularities[]": ["segment", "word"], language: "de" }, { bytes: wav, name: "a.wav", type: "audio/wav" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ task: "transcribe", language: "de", duration: 2, text: "transcribed 64044 bytes of wav audio at 16000 Hz", usage: { type: "duration", seconds: 2 } });
    expect(body.segments.map((s: Json) => [s.start, s.end, s.text])).toEqual([
      [0, 1.111, " transcribed 64044 bytes of wav"],
      [1.111, 2, " audio at 16000 Hz"],
    ]);
    expect(body.words).toHaveLength(9);
    expect(body.words[0]).toEqual({ word: "transcribed", start: 0, end: 0.222 });

    const [event] = (await fake.events()) as FakeRequestEvent[];
    expect(event).toMatchObject({ type: "request", path: "/v1/audio/transcriptions", model: "whisper-1" });
    const record = event!.body as UploadRecord;
    expect(record.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(record.file).toEqual({ filename: "a.wav", contentType: "audio/wav", bytes: wav.length });
    expect(record.fields).toEqual({ model: "whisper-1", response_format: "verbose_json", "timestamp_granularities[]": ["segment", "word"], language: "de" });
  });

  it("echoes the prompt after 'echo:' and defaults to json + language en", async () => {
    const res = await post(form({ model: "whisper-1", prompt: "names: echo: hello there" }, { bytes: wav, name: "a.wav", type: "audio/wav" }));
    expect(await res.json()).toEqual({ text: "hello there", usage: { type: "duration", seconds: 2 } });
  });

  it("gpt-4o-*-transcribe refuses verbose_json and reports token usage with json", async () => {
    const bad = await post(form({ model: "gpt-4o-mini-transcribe", response_format: "verbose_json" }, { bytes: wav, name: "a.wav", type: "audio/wav" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error).toMatchObject({ param: "response_format", code: "unsupported_value" });
    const ok = await post(form({ model: "gpt-4o-mini-transcribe", response_format: "json" }, { bytes: wav, name: "a.wav", type: "audio/wav" }));
    expect(((await ok.json()) as Json).usage).toEqual({ type: "tokens", input_tokens: 20, input_token_details: { text_tokens: 0, audio_tokens: 20 }, output_tokens: 9, total_tokens: 29 });
  });

  it.each([
    ["file", form({ model: "whisper-1" })],
    ["model", form({}, { bytes: wav, name: "a.wav", type: "audio/wav" })],
  ])("400 naming param %s when it is missing", async (param, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error).toMatchObject({ type: "invalid_request_error", param });
  });

  it("400 for a body that is not multipart, and for a .wav that is not a WAV", async () => {
    const json = await post(JSON.stringify({ model: "whisper-1" }), { "content-type": "application/json" });
    expect(json.status).toBe(400);
    expect(((await json.json()) as Json).error.message).toMatch(/expected multipart\/form-data/);
    const junk = await post(form({ model: "whisper-1" }, { bytes: Buffer.from("not a wav"), name: "a.wav", type: "audio/wav" }));
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as Json).error.param).toBe("file");
  });

  it("honours the scripted error models", async () => {
    const res = await post(form({ model: "fake-429" }, { bytes: wav, name: "a.wav", type: "audio/wav" }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });
});
