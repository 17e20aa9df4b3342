// TranscribeService over a real HTTP/2 socket with the gRPC protocol (client
// streaming on the wire), and cancellation reaching the upstream socket.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { buildStack, chunks, requests, serveOverGrpc, toneWav, type Stack, type WireServer } from "./harness.js";

const PATH = "/v1/audio/transcriptions";
const WAV = AudioEncoding.WAV;
let fake: FakeOpenAI;
let stack: Stack;
let wire: WireServer;

beforeAll(async () => {
  // The slow model holds its answer for 10 s: long enough that only a cancel ends it early.
  fake = await startFakeOpenAI({ slowMs: 10_000 });
  stack = buildStack(fake.baseUrl);
  wire = await serveOverGrpc(stack);
}, 20_000);
afterAll(async () => {
  await wire?.close();
  await stack?.close();
  await fake?.stop();
});
beforeEach(async () => {
  await fake.reset();
});

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

describe("Transcribe over gRPC/HTTP2", () => {
  it("streams config and audio chunks from the client and answers the transcript", async () => {
    const wav = toneWav(3);
    const res = await wire.client.transcribe(requests({ model: "whisper-1", encoding: WAV, wordTimestamps: true }, ...chunks(wav, 12)));
    expect(res.text).toBe(`transcribed ${wav.length} bytes of wav audio at 16000 Hz`);
    expect(res.durationSeconds).toBe(3);
    expect(res.usage?.provider).toBe("fake");
    expect(res.segments.flatMap((s) => s.words)).toHaveLength(9);
  });

  it("carries InvalidArgument and its message across the wire", async () => {
    const err = await failure(wire.client.transcribe(requests({ model: "whisper-1", encoding: WAV })));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("audio: no audio received");
  });

  it("maps an upstream 429 to ResourceExhausted", async () => {
    const err = await failure(wire.client.transcribe(requests({ model: "fake-429", encoding: WAV }, toneWav(0.2))));
    expect(err.code).toBe(Code.ResourceExhausted);
  });
});

describe("cancellation", () => {
  it("a client cancel aborts the upstream request", async () => {
    const controller = new AbortController();
    const call = wire.client.transcribe(requests({ model: "fake-slow-first-byte", encoding: WAV }, toneWav(0.5)), { signal: controller.signal });
    await fake.waitForEvent((e) => e.type === "request" && e.path === PATH);
    controller.abort();
    expect((await failure(call)).code).toBe(Code.Canceled);
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.path === PATH);
    expect(closed).toMatchObject({ model: "fake-slow-first-byte" });
  });

  it("the server's request timeout aborts the upstream request with DeadlineExceeded", async () => {
    const timed = await serveOverGrpc(stack, 500);
    try {
      const err = await failure(timed.client.transcribe(requests({ model: "fake-slow-first-byte", encoding: WAV }, toneWav(0.5))));
      expect(err.code).toBe(Code.DeadlineExceeded);
      expect(err.rawMessage).toMatch(/500 ms timeout/);
      await fake.waitForEvent((e) => e.type === "client-closed" && e.path === PATH);
    } finally {
      await timed.close();
    }
  });

  it("a stalled upload ends at the timeout without calling the upstream", async () => {
    const timed = buildStack(fake.baseUrl, { requestTimeoutMs: 300 });
    async function* stalled() {
      yield { payload: { case: "config" as const, value: { model: "whisper-1", encoding: WAV } } };
      yield { payload: { case: "audio" as const, value: toneWav(0.1) } };
      await new Promise((r) => setTimeout(r, 3_000));
    }
    const started = Date.now();
    const err = await failure(timed.client.transcribe(stalled()));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect((await fake.events()).filter((e) => e.type === "request")).toEqual([]);
    await timed.close();
  });
});
