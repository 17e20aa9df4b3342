// POST /v1/audio/transcriptions through the official OpenAI SDK (a generated
// WAV; json, text, srt, vtt and verbose_json) and malformed uploads with fetch.
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectOpenAIError, startOpenAIEnv, toneWav, upstreamRequests, type OpenAIEnv } from "./openai-harness.js";

let env: OpenAIEnv;
beforeAll(async () => {
  env = await startOpenAIEnv();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(async () => {
  await env.fake.reset();
});

const WAV = toneWav(1.5);
const wavFile = () => toFile(WAV, "speech.wav", { type: "audio/wav" });
/** The fake transcribes to the text after "echo:" in the prompt. */
const PROMPT = "echo: hello from the gateway test";
const TEXT = "hello from the gateway test";

describe("transcriptions", () => {
  it("answers json with the transcript", async () => {
    const { data: res, response } = await env.client.audio.transcriptions
      .create({ file: await wavFile(), model: "whisper-1", prompt: PROMPT, language: "en" })
      .withResponse();
    expect(res.text).toBe(TEXT);
    expect(response.headers.get("x-hoosh-provider")).toBe("fake");
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const [upstream] = await upstreamRequests(env.fake, "/v1/audio/transcriptions");
    expect(upstream!.body).toMatchObject({ fields: { model: "whisper-1", language: "en" }, file: { filename: "audio.wav", bytes: WAV.length } });
  });

  it("answers text as plain text", async () => {
    const res = await env.client.audio.transcriptions.create({ file: await wavFile(), model: "whisper-1", prompt: PROMPT, response_format: "text" });
    expect(res).toBe(TEXT);
  });

  it("answers srt and vtt cues built from the segments", async () => {
    const srt = await env.client.audio.transcriptions.create({ file: await wavFile(), model: "whisper-1", prompt: PROMPT, response_format: "srt" });
    // The fake splits the words into two segments over the 1.5 s of audio.
    expect(srt).toBe("1\n00:00:00,000 --> 00:00:00,900\nhello from the\n\n2\n00:00:00,900 --> 00:00:01,500\ngateway test\n\n");
    const vtt = await env.client.audio.transcriptions.create({ file: await wavFile(), model: "whisper-1", prompt: PROMPT, response_format: "vtt" });
    expect(vtt).toBe("WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nhello from the\n\n00:00:00.900 --> 00:00:01.500\ngateway test\n\n");
  });

  it("answers verbose_json with language, duration, segments and words", async () => {
    const res = await env.client.audio.transcriptions.create({
      file: await wavFile(),
      model: "whisper-1",
      prompt: PROMPT,
      response_format: "verbose_json",
      timestamp_granularities: ["segment", "word"],
    });
    expect(res).toMatchObject({ task: "transcribe", language: "english", duration: 1.5, text: TEXT });
    expect(res.segments!.map((s) => [s.id, s.start, s.end, s.text])).toEqual([
      [0, 0, 0.9, "hello from the"],
      [1, 0.9, 1.5, "gateway test"],
    ]);
    expect(res.words!.map((w) => w.word)).toEqual(["hello", "from", "the", "gateway", "test"]);
    expect(res.usage).toEqual({ type: "duration", seconds: 2 });
  });

  it("takes the encoding from the file's content type or bytes when the name says nothing", async () => {
    const res = await env.client.audio.transcriptions.create({ file: await toFile(WAV, "recording", { type: "application/octet-stream" }), model: "whisper-1" });
    expect(res.text).toBe(`transcribed ${WAV.length} bytes of wav audio at 16000 Hz`);
  });

  it("maps upstream failures to the SDK's typed errors", async () => {
    const err = await env.client.audio.transcriptions.create({ file: await wavFile(), model: "fake-429" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe("malformed uploads", () => {
  const url = () => `${env.url}/v1/audio/transcriptions`;

  it("answers 400 for a truncated multipart body, and keeps serving", async () => {
    const form = new FormData();
    form.append("model", "whisper-1");
    form.append("file", new Blob([WAV], { type: "audio/wav" }), "speech.wav");
    const encoded = new Response(form);
    const type = encoded.headers.get("content-type")!;
    const bytes = Buffer.from(await encoded.arrayBuffer());
    const res = await fetch(url(), { method: "POST", headers: { "content-type": type }, body: bytes.subarray(0, bytes.length - 200) });
    await expectOpenAIError(res, 400, /multipart\/form-data body could not be parsed/);
    const ok = await env.client.audio.transcriptions.create({ file: await wavFile(), model: "whisper-1", prompt: PROMPT });
    expect(ok.text).toBe(TEXT);
  });

  it("answers 400 naming file when there is no file", async () => {
    const form = new FormData();
    form.append("model", "whisper-1");
    const error = await expectOpenAIError(await fetch(url(), { method: "POST", body: form }), 400, /^file: is required/);
    expect(error.param).toBe("file");
  });

  it("answers 400 naming the file for audio that is not a supported format", async () => {
    const form = new FormData();
    form.append("model", "whisper-1");
    form.append("file", new Blob([Buffer.from("not audio at all")], { type: "text/plain" }), "notes.txt");
    const error = await expectOpenAIError(await fetch(url(), { method: "POST", body: form }), 400, /not a supported audio format/);
    expect(error.param).toBe("file");
  });

  it("answers 400 naming response_format for an unknown format", async () => {
    const form = new FormData();
    form.append("model", "whisper-1");
    form.append("response_format", "docx");
    form.append("file", new Blob([WAV], { type: "audio/wav" }), "speech.wav");
    const error = await expectOpenAIError(await fetch(url(), { method: "POST", body: form }), 400, /^response_format: "docx" is not one of/);
    expect(error.param).toBe("response_format");
  });

  it("answers 415 for a JSON body", async () => {
    const res = await fetch(url(), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    await expectOpenAIError(res, 415, /multipart\/form-data/);
  });
});
