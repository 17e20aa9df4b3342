// The request log through a real `hoosh serve`: one record per request on every edge (gRPC, the
// OpenAI and Anthropic REST edges, native REST transcoding), failures and cache hits included,
// with key, team, tokens and cost; ListRequests filters and pages; TailRequests follows new
// records as they happen; prompts and answers only with [log] payloads = true, redacted.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { KeysService } from "../../gen/ts/hoosh/v1/keys_pb.js";
import { SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { AudioEncoding, TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { toneWav } from "../rest/openai-harness.js";
import { RequestLogService, type RequestRecord } from "../../gen/ts/hoosh/v1/requests_pb.js";
import { postJson, serveWith, type Served } from "../auth/helpers.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { ADMIN_KEY, chat, clients, expectCode, keyedConfig, type Clients } from "../keys/helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.stop();
});

async function allRecords(c: Clients, filter: { keyId?: string; status?: string } = {}): Promise<RequestRecord[]> {
  const log = c.client(RequestLogService, ADMIN_KEY);
  const out: RequestRecord[] = [];
  let pageToken = "";
  do {
    const page = await log.listRequests({ ...filter, pageSize: 2, pageToken });
    out.push(...page.records);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return out;
}

describe("request log (defaults: payloads off)", () => {
  let served: Served;
  let c: Clients;
  let secret: string;
  let keyId: string;

  beforeAll(async () => {
    served = await serveWith(keyedConfig(fake.baseUrl));
    c = clients(served.server.url);
    await c.client(KeysService, ADMIN_KEY).createTeam({ team: { name: "ops" } });
    const made = await c.client(KeysService, ADMIN_KEY).createKey({ key: { name: "logged", team: "ops", scopes: ["inference", "transcribe"] } });
    secret = made.secret;
    keyId = made.key!.id;
  });
  afterAll(async () => {
    c?.sessions.abort();
    await served?.stop();
  });

  it("one record per request on every edge, failures and cache hits included", async () => {
    const url = served.server.url;
    const auth = { authorization: `Bearer ${secret}` };
    const inference = c.client(InferenceService, secret);
    await inference.generate(chat("gpt-4o-mini", "grpc call", 0));
    await inference.generate(chat("gpt-4o-mini", "grpc call", 0)); // same deterministic question: a cache hit
    await expectCode(inference.generate(chat("fake-400", "fails")), Code.InvalidArgument);
    expect((await postJson(`${url}/v1/chat/completions`, JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "openai call" }] }), auth)).status).toBe(200);
    const anthropic = await postJson(`${url}/v1/messages`, JSON.stringify({ model: "gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: "anthropic call" }] }), {
      "x-api-key": secret,
      "anthropic-version": "2023-06-01",
    });
    expect(anthropic.status).toBe(200);
    const rest = await postJson(`${url}/hoosh/v1/generate`, JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "ROLE_USER", content: [{ text: "rest call" }] }] }), auth);
    expect(rest.status).toBe(200);

    const records = await vi.waitFor(async () => {
      const r = await allRecords(c, { keyId });
      expect(r.length).toBe(6);
      return r;
    });
    expect(records.map((r) => r.edge).sort()).toEqual(["anthropic", "grpc", "grpc", "grpc", "openai", "rest"]);
    for (const r of records) {
      expect(r.keyId).toBe(keyId);
      expect(r.team).toBe("ops");
      expect(r.requestId).not.toBe("");
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(r.prompt).toBe(""); // payloads are off by default
      expect(r.answer).toBe("");
    }
    const failed = records.filter((r) => r.status !== "OK");
    expect(failed.map((r) => [r.model, r.status])).toEqual([["fake-400", "INVALID_ARGUMENT"]]);
    expect(failed[0]!.error).not.toBe("");
    const hits = records.filter((r) => r.cacheHit);
    expect(hits.length).toBe(1);
    const served_ = records.filter((r) => r.status === "OK" && !r.cacheHit);
    for (const r of served_) {
      expect(r.provider).toBe("fake");
      expect(r.attempts).toBeGreaterThanOrEqual(1);
      expect(r.inputTokens).toBeGreaterThan(0n);
      expect(r.outputTokens).toBeGreaterThan(0n);
      expect(r.servedModel).not.toBe("");
    }
    expect((await allRecords(c, { keyId, status: "error" })).length).toBe(1);
  });

  it("speech to text and text to speech calls have their records too (gRPC and REST)", async () => {
    const url = served.server.url;
    const wav = toneWav(0.5);
    const config = { payload: { case: "config" as const, value: { model: "whisper-1", encoding: AudioEncoding.WAV } } };
    const audio = { payload: { case: "audio" as const, value: wav } };
    async function* messages() {
      yield config;
      yield audio;
    }
    await c.client(TranscribeService, secret).transcribe(messages());
    for await (const _ of c.client(TranscribeService, secret).transcribeStream(messages()));
    await expectCode(c.client(TranscribeService, secret).transcribe((async function* () {
      yield { payload: { case: "config" as const, value: { model: "whisper-1", encoding: AudioEncoding.WAV, language: "not a language" } } };
    })()), Code.InvalidArgument);
    for await (const _ of c.client(SpeechService, secret).synthesize({ model: "tts-1", input: "spoken over grpc" }));
    const form = new FormData();
    form.append("model", "whisper-1");
    form.append("file", new Blob([wav], { type: "audio/wav" }), "tone.wav");
    expect((await fetch(`${url}/v1/audio/transcriptions`, { method: "POST", headers: { authorization: `Bearer ${secret}` }, body: form })).status).toBe(200);
    const spoken = await fetch(`${url}/v1/audio/speech`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify({ model: "tts-1", input: "spoken over rest" }) });
    expect(spoken.status).toBe(200);
    await spoken.arrayBuffer();

    const audioRecords = await vi.waitFor(async () => {
      const r = (await allRecords(c, { keyId })).filter((x) => x.operation === "transcription" || x.operation === "speech");
      expect(r.length).toBe(6);
      return r;
    });
    const seen = audioRecords.map((r) => `${r.operation} ${r.edge} ${r.model} ${r.status} ${r.stream}`).sort();
    expect(seen).toEqual([
      "speech grpc tts-1 OK true",
      "speech openai tts-1 OK true",
      "transcription grpc whisper-1 INVALID_ARGUMENT false",
      "transcription grpc whisper-1 OK false",
      "transcription grpc whisper-1 OK true",
      "transcription openai whisper-1 OK false",
    ]);
    for (const r of audioRecords.filter((x) => x.status === "OK")) {
      expect(r.keyId).toBe(keyId);
      expect(r.team).toBe("ops");
      expect(r.provider).toBe("fake");
      expect(r.latencyMs).toBeGreaterThan(0);
    }
  });

  it("ListRequests and TailRequests need the admin scope; bad filters name the field", async () => {
    await expectCode(c.client(RequestLogService, secret).listRequests({}), Code.PermissionDenied);
    const log = c.client(RequestLogService, ADMIN_KEY);
    await expectCode(log.listRequests({ status: "MAYBE" }), Code.InvalidArgument, "status", "MAYBE");
    await expectCode(log.listRequests({ pageToken: "not-a-token" }), Code.InvalidArgument, "page_token");
    await expectCode(log.listRequests({ pageSize: -1 }), Code.InvalidArgument, "page_size");
  });

  it("TailRequests delivers new records as they happen (median delay well under 100 ms)", async () => {
    const abort = new AbortController();
    const stream = c.client(RequestLogService, ADMIN_KEY).tailRequests({ keyId }, { signal: abort.signal });
    const it_ = stream[Symbol.asyncIterator]();
    const inference = c.client(InferenceService, secret);
    const delays: number[] = [];
    // The stream opens with the first message read: start reading before the request ends.
    for (let i = 0; i < 5; i++) {
      const next = it_.next();
      await inference.generate(chat("gpt-4o-mini", `tail ${i}`));
      const answeredAt = performance.now();
      const got = await next;
      delays.push(performance.now() - answeredAt);
      expect(got.value?.record?.model).toBe("gpt-4o-mini");
    }
    abort.abort();
    delays.sort((a, b) => a - b);
    console.log(`TailRequests: delay after the answer, ms: ${delays.map((d) => d.toFixed(1)).join(", ")}`);
    expect(delays[2]).toBeLessThan(100);
  });

  it("TailRequests with ready_message: a first message without a record once it listens; every request after it arrives", async () => {
    const abort = new AbortController();
    const stream = c.client(RequestLogService, ADMIN_KEY).tailRequests({ keyId, readyMessage: true }, { signal: abort.signal });
    const it_ = stream[Symbol.asyncIterator]();
    const ready = await it_.next();
    expect(ready.value?.ready).toBe(true);
    expect(ready.value?.record).toBeUndefined();
    // Made only after the ready message: no race with the subscription.
    await c.client(InferenceService, secret).generate(chat("gpt-4o-mini", "after ready"));
    const got = await it_.next();
    expect(got.value).toMatchObject({ ready: false, record: { model: "gpt-4o-mini", keyId } });
    abort.abort();
  });
});

describe("request log with [log] payloads = true", () => {
  let served: Served;
  let c: Clients;

  beforeAll(async () => {
    served = await serveWith(keyedConfig(fake.baseUrl, `[log]\npayloads = true\nredact = ["acct-[0-9]+"]\n`));
    c = clients(served.server.url);
  });
  afterAll(async () => {
    c?.sessions.abort();
    await served?.stop();
  });

  it("keeps prompts and answers, redacted", async () => {
    await c.client(InferenceService, ADMIN_KEY).generate(chat("gpt-4o-mini", "my account acct-12345 and key sk-abcdefghijklmnopqrstuvwx"));
    const [r] = await vi.waitFor(async () => {
      const got = await allRecords(c);
      expect(got.length).toBe(1);
      return got;
    });
    expect(r!.prompt).toContain("my account");
    expect(r!.prompt).not.toContain("acct-12345");
    expect(r!.prompt).not.toContain("sk-abcdefghijklmnopqrstuvwx");
    expect(r!.prompt).toContain("[REDACTED]");
    expect(r!.answer).not.toBe("");
  });
});
