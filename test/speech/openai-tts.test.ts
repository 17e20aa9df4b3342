// Text to speech through an `openai`-type provider (OpenAI TTS, openedai-speech style servers):
// the fake OpenAI upstream's POST /v1/audio/speech streams a deterministic tone; hoosh relays it
// as it arrives over REST (the official SDK) and gRPC, charges the characters to the budget pool
// at tts-1's price, passes voice/format/speed on, and a client that leaves stops the upstream.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import OpenAI from "openai";
import { beforeEach, describe, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { SpeechFormat, SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { useOpenAIApp } from "./openai-app.js";
import { upstreamRequests } from "../rest/openai-harness.js";

const server = useOpenAIApp(
  "openai-tts-test",
  (baseUrl) => `
[[providers]]
name = "openai-tts"
type = "openai"
base_url = "${baseUrl}"
models = ["tts-*", "gpt-4o-mini-tts"]
`,
);
beforeEach(async () => {
  await server.fake.reset();
});

const TEXT = "Twelve small boats sailed past the harbor wall.";
const pool = async () => (await createClient(BudgetService, createGrpcTransport({ baseUrl: server.url })).getPool({ name: "default" })).pool!;

describe("openai-type text to speech", () => {
  it("the official SDK's audio.speech.create gets the upstream's audio as a streamed body", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "k", maxRetries: 0 });
    const res = await client.audio.speech.create({ model: "tts-1", voice: "echo", input: TEXT, response_format: "pcm", speed: 1.5 });
    expect(res.headers.get("content-type")).toBe("audio/pcm");
    expect(res.headers.get("x-hoosh-provider")).toBe("openai-tts");
    const audio = Buffer.from(await res.arrayBuffer());
    expect(audio.length).toBe(2 * Math.round((TEXT.length * 0.05 * 24_000) / 1.5));
    const [upstream] = await upstreamRequests(server.fake, "/v1/audio/speech");
    expect(upstream!.body).toEqual({ model: "tts-1", input: TEXT, voice: "echo", response_format: "pcm", speed: 1.5 });
  });

  it("gRPC Synthesize: start, chunks as they arrive, end with characters, seconds and cost; the pool is charged", async () => {
    const before = Number((await pool()).usedTokens);
    const speech = createClient(SpeechService, createGrpcTransport({ baseUrl: server.url }));
    // The fake stops after its first chunk until released: audio that reaches the client before
    // the release was relayed while the upstream was still sending (causal, not timed).
    await fetch(`${server.fake.url}/_fake/hold-speech`, { method: "POST" });
    const events = [];
    let beforeRelease = 0;
    for await (const res of speech.synthesize({ model: "tts-1", input: TEXT, format: SpeechFormat.WAV })) {
      events.push(res.event);
      if (res.event.case === "audio" && beforeRelease === 0) {
        beforeRelease = events.length;
        await fetch(`${server.fake.url}/_fake/release`, { method: "POST" });
      }
    }
    expect(events[0]).toMatchObject({ case: "start", value: { provider: "openai-tts", contentType: "audio/wav", voice: "alloy", format: SpeechFormat.WAV } });
    const audio = events.filter((e) => e.case === "audio");
    expect(beforeRelease).toBe(2); // start, then the first chunk while the upstream held the rest
    expect(audio.length).toBeGreaterThanOrEqual(2); // the upstream's chunks, not one blob
    const wav = Buffer.concat(audio.map((e) => (e.case === "audio" ? e.value : new Uint8Array())));
    expect(wav.length).toBe(44 + 2 * Math.round(TEXT.length * 0.05 * 24_000));
    const end = events.at(-1)!;
    if (end.case !== "end") throw new Error("no end event");
    const seconds = (TEXT.length * 0.05 * 24_000) / 24_000;
    expect(end.value.durationSeconds).toBeCloseTo(seconds, 3);
    expect(end.value.usage).toMatchObject({ provider: "openai-tts", inputCharacters: TEXT.length, inputTokens: TEXT.length, budgetPool: "default" });
    // tts-1: $15 per 1M characters.
    expect(Number(end.value.usage!.costUsdMicros)).toBe(Math.round(TEXT.length * 15));
    expect(Number((await pool()).usedTokens)).toBe(before + TEXT.length);
  });

  it("upstream refusals come back as INVALID_ARGUMENT / 400 naming the field", async () => {
    const res = await fetch(`${server.url}/v1/audio/speech`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "tts-1", input: "Hi.", voice: "nobody" }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/voice|nobody/);
  });

  it("a client that leaves mid-stream stops the upstream and charges nothing", async () => {
    const before = await pool();
    const ac = new AbortController();
    const res = await fetch(`${server.url}/v1/audio/speech`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "tts-1", input: "x".repeat(2000), voice: "alloy", response_format: "pcm" }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await expect.poll(async () => (await server.fake.events()).some((e) => e.type === "client-closed" && e.path === "/v1/audio/speech"), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => Number((await pool()).reservedTokens), { timeout: 10_000 }).toBe(0);
    expect(Number((await pool()).usedTokens)).toBe(Number(before.usedTokens));
  });
});
