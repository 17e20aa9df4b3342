// Speech to text is accounted like text: an `openai`-type upstream (the fake OpenAI's
// /v1/audio/transcriptions) transcribes through a real app; the audio's whole seconds are the
// request's input units, charged to the caller's budget pool and priced at whisper-1's
// $0.006 per minute ($100 per 1M seconds), on Transcribe, TranscribeStream and REST. A model
// billed by token (gpt-4o-transcribe) keeps the upstream's tokens instead.
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createClient } from "@connectrpc/connect";
import OpenAI, { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { AudioEncoding, TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { useOpenAIApp } from "./openai-app.js";
import { requests, toneWav } from "../transcribe/harness.js";

const server = useOpenAIApp(
  "transcribe-usage-test",
  (baseUrl) => `
[[providers]]
name = "openai-stt"
type = "openai"
base_url = "${baseUrl}"
models = ["whisper-1", "gpt-4o-mini-transcribe"]
`,
);

const SECONDS = 2.5;
const used = async () => Number((await createClient(BudgetService, createGrpcTransport({ baseUrl: server.url })).getPool({ name: "default" })).pool!.usedTokens);
const stt = () => createClient(TranscribeService, createGrpcTransport({ baseUrl: server.url }));

describe("speech to text usage", () => {
  it("Transcribe: whole seconds of audio are the input units, priced at whisper-1's rate and charged to the pool", async () => {
    const before = await used();
    const res = await stt().transcribe(requests({ model: "whisper-1", encoding: AudioEncoding.WAV }, toneWav(SECONDS)));
    expect(res.usage).toMatchObject({ provider: "openai-stt", audioSeconds: SECONDS, inputTokens: 3, outputTokens: 0, budgetPool: "default" });
    // $0.006 per minute = 100 micro-USD per second, of 3 whole seconds.
    expect(Number(res.usage!.costUsdMicros)).toBe(300);
    expect((await used()) - before).toBe(3);
  });

  it("TranscribeStream is charged the same at its final", async () => {
    const before = await used();
    let final;
    for await (const ev of stt().transcribeStream(requests({ model: "whisper-1", encoding: AudioEncoding.WAV }, toneWav(SECONDS)))) if (ev.event.case === "final") final = ev.event.value;
    expect(final?.usage).toMatchObject({ audioSeconds: SECONDS, inputTokens: 3, budgetPool: "default" });
    expect(Number(final!.usage!.costUsdMicros)).toBe(300);
    expect((await used()) - before).toBe(3);
  });

  it("REST with the official SDK: OpenAI's duration usage, and the pool charged", async () => {
    const before = await used();
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "k", maxRetries: 0 });
    const res = await client.audio.transcriptions.create({ model: "whisper-1", file: await toFile(toneWav(SECONDS), "tone.wav") });
    expect((res as { usage?: unknown }).usage).toEqual({ type: "duration", seconds: 3 });
    expect((await used()) - before).toBe(3);
  });

  it("a model billed by token keeps the upstream's tokens (not seconds)", async () => {
    const before = await used();
    const res = await stt().transcribe(requests({ model: "gpt-4o-mini-transcribe", encoding: AudioEncoding.WAV }, toneWav(SECONDS)));
    // The fake counts 10 audio tokens per second.
    expect(res.usage).toMatchObject({ audioSeconds: SECONDS, inputTokens: 25, audioTokens: 25 });
    expect(res.usage!.outputTokens).toBeGreaterThan(0);
    expect((await used()) - before).toBe(25 + res.usage!.outputTokens);
  });
});
