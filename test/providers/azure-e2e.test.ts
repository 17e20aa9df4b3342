// Azure OpenAI end to end: a real hoosh with type "azure" providers (api-key,
// and Microsoft Entra client credentials) against the fake Azure resource,
// which checks api-version, the credential and the deployment path.
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { SpeechFormat, SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { AudioEncoding, TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { requests, toneWav } from "../transcribe/harness.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { embed as fakeVector } from "../fakes/openai/embeddings.js";
import { startFakeAzure, type FakeAzure } from "../fakes/spawn-clouds.js";
import type { Hoosh } from "../harness/hoosh.js";
import { providerContract, rejection } from "./contract.js";
import { closedAt, FAULTS_EXPECTED, startE2E, user, type E2E } from "./e2e-harness.js";

const API_KEY = "azure-e2e-api-key-0123456789";
const CLIENT_SECRET = "entra-client-secret-value~abc";
const config = (url: string) => `

[[providers]]
name = "aoai"
type = "azure"
base_url = "${url}"
api_key = "${API_KEY}"
deployments = { "gpt-4o" = "gpt4o-prod", "text-embedding-3-small" = "embed-prod", "whisper-1" = "whisper-prod", "tts-1" = "tts-prod" }
models = ["gpt-4o", "fake-*", "text-embedding-3-small", "whisper-1", "tts-1", "missing-model"]
${FAULTS_EXPECTED}

[[providers]]
name = "aoai-entra"
type = "azure"
base_url = "${url}"
api_version = "2025-01-01-preview"
credentials = { tenant_id = "contoso-tenant", client_id = "hoosh-app", client_secret = "${CLIENT_SECRET}", authority_host = "${url}" }
deployments = { "entra-gpt" = "gpt4o-prod" }
models = ["entra-gpt"]

[[providers]]
name = "aoai-badsecret"
type = "azure"
base_url = "${url}"
credentials = { tenant_id = "contoso-tenant", client_id = "hoosh-app", client_secret = "not-the-secret", authority_host = "${url}" }
deployments = { "badsecret-gpt" = "gpt4o-prod" }
models = ["badsecret-gpt"]
`;

let fake: FakeAzure;
let hoosh: Hoosh;
let client: E2E["client"];
beforeAll(async () => {
  fake = await startFakeAzure({ apiKey: API_KEY, args: ["--tenant", "contoso-tenant", "--client-id", "hoosh-app", "--client-secret", CLIENT_SECRET] });
  ({ hoosh, client } = await startE2E(config(fake.url)));
}, 30_000);
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});
beforeEach(async () => {
  await fake.reset();
});


describe('type = "azure" through a real hoosh', () => {
  providerContract({
    client: () => client,
    provider: "aoai",
    chatModel: "gpt-4o",
    toolModel: "gpt-4o",
    models: { throttled: "fake-429", notFound: "missing-model", unavailable: "fake-503", longStream: "fake-long-stream" },
    closedAt: (model) => closedAt(fake)(model),
  });

  it("sends the deployment path, the api-version query and the api-key header (never a bearer)", async () => {
    await client.generate({ model: "gpt-4o", messages: [user("hi")] });
    const [req] = (await fake.events()).filter((e) => e.type === "request");
    expect(req).toMatchObject({ method: "POST", path: "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21", headers: { authorization: true } });
  });

  it("throttling keeps Azure's Retry-After and message", async () => {
    const err = await rejection(() => client.generate({ model: "fake-429", messages: [user("x")] }));
    expect(Code[err.code]).toBe(Code[Code.ResourceExhausted]);
    expect(err.rawMessage).toContain("Please retry after 7 seconds");
  });

  it("Azure's content filter is INVALID_ARGUMENT naming the blocked category", async () => {
    const err = await rejection(() => client.generate({ model: "gpt-4o", messages: [user("azure-filter-me please")] }));
    expect(Code[err.code]).toBe(Code[Code.InvalidArgument]);
    expect(err.rawMessage).toContain('provider "aoai" refused the prompt: Azure content filter blocked it (violence=high)');
  });

  it("embeddings go to the embedding deployment", async () => {
    const res = await client.embed({ model: "text-embedding-3-small", inputs: ["one", "two"], dimensions: 4 });
    expect(res.embeddings.map((e) => e.values)).toEqual([fakeVector("one", 4), fakeVector("two", 4)]);
    const [req] = (await fake.events()).filter((e) => e.type === "request");
    expect(req?.path).toBe("/openai/deployments/embed-prod/embeddings?api-version=2024-10-21");
  });

  it("transcription uploads to the speech deployment", async () => {
    const transcribe = createClient(TranscribeService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1" }));
    const wav = toneWav(1);
    const res = await transcribe.transcribe(requests({ model: "whisper-1", encoding: AudioEncoding.WAV }, wav));
    expect(res.text).toBe(`transcribed ${wav.length} bytes of wav audio at 16000 Hz`);
    const [req] = (await fake.events()).filter((e) => e.type === "request");
    expect(req?.path).toBe("/openai/deployments/whisper-prod/audio/transcriptions?api-version=2024-10-21");
  });

  it("text to speech goes to the speech deployment", async () => {
    const speech = createClient(SpeechService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1" }));
    let pcm = 0;
    for await (const res of speech.synthesize({ model: "tts-1", input: "Hello there.", voice: "alloy", format: SpeechFormat.PCM16 })) if (res.event.case === "audio") pcm += res.event.value.length;
    // The fake speaks 50 ms per character at 24 kHz, 16-bit.
    expect(pcm).toBe(Math.round("Hello there.".length * 0.05 * 24_000) * 2);
    const [req] = (await fake.events()).filter((e) => e.type === "request");
    expect(req?.path).toBe("/openai/deployments/tts-prod/audio/speech?api-version=2024-10-21");
    expect(req?.body).toMatchObject({ input: "Hello there.", voice: "alloy", response_format: "pcm" });
  });

  it("Microsoft Entra: one client-credentials token serves many calls, sent as a bearer", async () => {
    const before = (await (await fetch(`${fake.url}/_fake/entra`)).json()) as { issued: number };
    for (let i = 0; i < 3; i++) {
      const res = await client.generate({ model: "entra-gpt", messages: [user(`call ${i}`)] });
      expect(res.message?.content[0]?.part.value).toBe(`echo: call ${i}`);
    }
    const after = (await (await fetch(`${fake.url}/_fake/entra`)).json()) as { issued: number };
    // The token is cached (an earlier test may have fetched it already).
    expect(after.issued - before.issued).toBeLessThanOrEqual(1);
    expect(after.issued).toBe(1);
    const reqs = (await fake.events()).filter((e) => e.type === "request");
    expect(reqs.every((e) => e.type === "request" && e.path.endsWith("?api-version=2025-01-01-preview"))).toBe(true);
  });

  it("a wrong client secret is UNAUTHENTICATED with Entra's reason, never the secret", async () => {
    const err = await rejection(() => client.generate({ model: "badsecret-gpt", messages: [user("x")] }));
    expect(Code[err.code]).toBe(Code[Code.Unauthenticated]);
    expect(err.rawMessage).toContain("AADSTS7000215: Invalid client secret provided");
    expect(err.rawMessage).not.toContain("not-the-secret");
    expect(hoosh.stderr()).not.toContain("not-the-secret");
  });
});
