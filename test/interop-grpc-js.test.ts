// Interop: @grpc/grpc-js (not Connect) as the client of a real `hoosh serve` process,
// which forwards to the fake OpenAI upstream (its own process).
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FinishReason, Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import {
  GenerateRequestSchema,
  GenerateStreamRequestSchema,
  InferenceService,
  type GenerateResponse,
  type GenerateStreamResponse,
} from "../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { drain, grpcJsClient, serverStream, unary } from "./harness/grpc-js.js";
import { startHoosh, type Hoosh } from "./harness/hoosh.js";

// Long upstream timeouts, so that only the client's cancel or deadline can end a slow call early.
const config = (baseUrl: string) => `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[[providers]]
name = "fake"
type = "openai"
base_url = "${baseUrl}"
models = ["*"]
timeouts = { connect_ms = 1000, first_byte_ms = 30000, idle_ms = 30000 }
# Many scripted faults hit this one provider: keep its breaker from opening.
breaker = { failures = 1000 }
`;

// Real processes on a shared machine: generous per-test time limits (assertions carry their own bounds).
vi.setConfig({ testTimeout: 20_000 });

let fake: FakeOpenAI;
let hoosh: Hoosh;
let client: grpc.Client;

beforeAll(async () => {
  fake = await startFakeOpenAI({ slowMs: 20_000 });
  hoosh = await startHoosh(config(fake.baseUrl));
  client = grpcJsClient(InferenceService, `127.0.0.1:${hoosh.port}`);
}, 30_000);

afterAll(async () => {
  client?.close();
  await hoosh?.stop();
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const userText = (text: string) => ({ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] });
const generateRequest = (model: string, text: string) => create(GenerateRequestSchema, { model, messages: [userText(text)] });
const streamRequest = (model: string, text: string) => create(GenerateStreamRequestSchema, { model, messages: [userText(text)] });
const textOf = (m: { content: { part: { case?: string; value?: unknown } }[] } | undefined) =>
  (m?.content ?? []).map((p) => (p.part.case === "text" ? (p.part.value as string) : "")).join("");

describe("Generate (unary)", () => {
  it("answers with the fake's echo, a stop reason and usage attributed to the provider", async () => {
    const res = await unary<GenerateResponse>(client, "generate", generateRequest("fake-model", "hello from grpc-js"));
    expect(textOf(res.message)).toBe("echo: hello from grpc-js");
    expect(res.message?.role).toBe(Role.ASSISTANT);
    expect(res.model).toBe("fake-model");
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ provider: "fake", outputTokens: 4 });
    expect(res.usage?.inputTokens).toBeGreaterThan(0);
  });
});

describe("GenerateStream", () => {
  it("sends start, text deltas in order, then one end with the assembled message, finish reason and usage", async () => {
    const { messages, error } = await drain<GenerateStreamResponse>(serverStream(client, "generateStream", streamRequest("fake-model", "one two three four")));
    expect(error).toBeUndefined();
    const events = messages.map((m) => m.value.event);
    expect(events.map((e) => e.case)).toEqual(["start", "text", "text", "text", "text", "text", "end"]);

    const start = events[0]!;
    expect(start.case === "start" && start.value.provider).toBe("fake");
    const deltas = events.flatMap((e) => (e.case === "text" ? [e.value.text] : []));
    expect(deltas).toEqual(["echo:", " one", " two", " three", " four"]);

    const end = events.at(-1)!;
    if (end.case !== "end") throw new Error("last event is not end");
    expect(textOf(end.value.message)).toBe(deltas.join(""));
    expect(end.value.message?.role).toBe(Role.ASSISTANT);
    expect(end.value.finishReason).toBe(FinishReason.STOP);
    expect(end.value.usage).toMatchObject({ provider: "fake", outputTokens: 5 });
  });

  it("delivers events as the upstream produces them, not at the end", async () => {
    // fake-long-stream: 1200 chunks 50 ms apart (~60 s in total).
    const { messages, error } = await drain<GenerateStreamResponse>(serverStream(client, "generateStream", streamRequest("fake-long-stream", "go")), { cancelAfter: 12 });
    expect(error?.code).toBe(grpc.status.CANCELLED);
    expect(messages.map((m) => m.value.event.case)).toEqual(["start", ...Array(11).fill("text")]);
    const texts = messages.slice(1).map((m) => (m.value.event.case === "text" ? m.value.event.value.text : ""));
    expect(texts).toEqual(Array.from({ length: 11 }, (_, i) => (i === 0 ? "tick0" : ` tick${i}`)));
    // The 12th event comes long before the stream would end (~60 s), and the deltas trickle in:
    // 10 gaps of ~50 ms between the first and the last text event (not one buffered batch).
    expect(messages[11]!.at).toBeLessThan(5_000);
    expect(messages[11]!.at - messages[1]!.at).toBeGreaterThan(200);
  });

  it("call.cancel() mid-stream closes the upstream request", async () => {
    const { messages, error } = await drain<GenerateStreamResponse>(serverStream(client, "generateStream", streamRequest("fake-long-stream", "go")), { cancelAfter: 3 });
    expect(messages).toHaveLength(3);
    expect(error?.code).toBe(grpc.status.CANCELLED);
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 3_000);
    // Closed mid-stream: far fewer than the 1200 chunks were written.
    expect(closed).toMatchObject({ path: "/v1/chat/completions" });
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(200);
  });
});

describe("deadlines", () => {
  it("a grpc-js deadline on a slow upstream gives DEADLINE_EXCEEDED and closes the upstream request (unary)", async () => {
    const started = performance.now();
    const err = await unary(client, "generate", generateRequest("fake-slow-first-byte", "hi"), { deadline: Date.now() + 500 }).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(performance.now() - started).toBeLessThan(3_000);
    // The fake would answer after 20 s and hoosh's own first-byte timeout is 30 s: only the deadline closes it.
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-slow-first-byte", 3_000);
  });

  it("a grpc-js deadline on a slow upstream gives DEADLINE_EXCEEDED and closes the upstream request (stream)", async () => {
    const { messages, error } = await drain<GenerateStreamResponse>(
      serverStream(client, "generateStream", streamRequest("fake-slow-first-byte", "hi"), { deadline: Date.now() + 500 }),
    );
    expect(messages).toEqual([]);
    expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-slow-first-byte", 3_000);
  });
});

describe("upstream errors map to gRPC codes", () => {
  // One provider: the router has nothing to fall back to and returns the provider's error.
  const cases = [
    ["fake-401", "UNAUTHENTICATED", "HTTP 401"],
    ["fake-404", "NOT_FOUND", "HTTP 404"],
    ["fake-429", "RESOURCE_EXHAUSTED", "HTTP 429"],
    ["fake-503", "UNAVAILABLE", "HTTP 503"],
  ] as const;

  it.each(cases)("Generate %s → %s", async (model, code, httpStatus) => {
    const err = (await unary(client, "generate", generateRequest(model, "hi")).catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
    expect(grpc.status[err.code]).toBe(code);
    expect(err.details).toContain(httpStatus);
    expect(err.details).toContain('"fake"');
  });

  it.each(cases)("GenerateStream %s → %s before any event", async (model, code) => {
    const { messages, error } = await drain<GenerateStreamResponse>(serverStream(client, "generateStream", streamRequest(model, "hi")));
    expect(messages).toEqual([]);
    expect(error && grpc.status[error.code]).toBe(code);
  });
});

describe("bad input is INVALID_ARGUMENT naming the field, and never reaches the upstream", () => {
  const cases = [
    ["empty model", generateRequest("", "hi"), "model"],
    ["no messages", create(GenerateRequestSchema, { model: "fake-model", messages: [] }), "messages"],
    [
      "ROLE_UNSPECIFIED",
      create(GenerateRequestSchema, { model: "fake-model", messages: [{ role: Role.UNSPECIFIED, content: [{ part: { case: "text", value: "hi" } }] }] }),
      "messages[0].role",
    ],
  ] as const;

  it.each(cases)("%s", async (_name, request, field) => {
    const err = (await unary(client, "generate", request).catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    // See the known-issue test below for why grpc-js needs decodeURIComponent here.
    const message = decodeURIComponent(err.details);
    expect(message.startsWith(`${field}: `), message).toBe(true);
    expect(await fake.events()).toEqual([]);
  });

  // Known interop wart: connect-node writes grpc-message with encodeURIComponent (":" → %3A, ";" → %3B,
  // "," → %2C), and grpc-js 1.14.7 reads it with decodeURI, which leaves those escapes in place, so a
  // grpc-js caller sees "model%3A is required ...". grpcurl (grpc-go) and Connect clients decode it fully.
  // it.fails: this starts failing (and must be turned into a normal test) once either side changes.
  it.fails("grpc-js shows the status message without percent escapes", async () => {
    const err = (await unary(client, "generate", generateRequest("", "hi")).catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
    expect(err.details).toBe('model: is required (e.g. "gpt-4o-mini")');
  });
});
