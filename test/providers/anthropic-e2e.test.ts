// Through a real `hoosh serve` with a provider of type "anthropic" pointing
// at the fake Anthropic upstream (two processes), over gRPC (h2c).
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality, ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/spawn-anthropic.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { WEATHER_TOOL } from "./anthropic-helpers.js";

const FAULTS = ["401", "404", "429", "529", "500"];

// One attempt per call: the error mapping is under test, not retries. Each
// scripted fault has a provider of its own, so the failures it counts never
// open the circuit breaker of another (or of "claude", which serves the rest).
const config = (baseUrl: string) => `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[router]
max_attempts = 1

[[providers]]
name = "claude"
type = "anthropic"
base_url = "${baseUrl}"
api_key = "sk-ant-e2e"
models = ["claude-*", "fake-model", "fake-long-stream"]
timeouts = { connect_ms = 1000, first_byte_ms = 5000, idle_ms = 5000 }
${FAULTS.map(
  (status) => `
[[providers]]
name = "claude-${status}"
type = "anthropic"
base_url = "${baseUrl}"
api_key = "sk-ant-e2e"
models = ["fake-${status}"]
`,
).join("")}`;

vi.setConfig({ testTimeout: 20_000 });

let fake: FakeAnthropic;
let hoosh: Hoosh;
let sessions: Http2SessionManager;
let inference: Client<typeof InferenceService>;
let models: Client<typeof ModelsService>;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: "sk-ant-e2e" });
  hoosh = await startHoosh(config(fake.baseUrl));
  sessions = new Http2SessionManager(hoosh.url);
  const transport = createGrpcTransport({ baseUrl: hoosh.url, sessionManager: sessions });
  inference = createClient(InferenceService, transport);
  models = createClient(ModelsService, transport);
}, 30_000);

afterAll(async () => {
  sessions?.abort();
  await hoosh?.stop();
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const chat = (model: string, prompt: string) => ({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: prompt } }] }] });

async function rejection(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

async function drain(stream: AsyncIterable<GenerateStreamResponse>): Promise<GenerateStreamResponse[]> {
  const out: GenerateStreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe("hoosh with an anthropic provider", () => {
  it("Generate answers with the fake's echo and usage", async () => {
    const res = await inference.generate(chat("claude-sonnet-4-20250514", "hello claude"));
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello claude" });
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ provider: "claude", inputTokens: 5, outputTokens: 3 });
    // Health probes may list models meanwhile: pick the chat request.
    const req = (await fake.events()).find((e) => e.type === "request" && e.path === "/v1/messages");
    expect(req).toMatchObject({ type: "request", path: "/v1/messages", headers: { "x-api-key": true, "anthropic-version": "2023-06-01" } });
  });

  it("GenerateStream relays a tool call in pieces that assemble into JSON arguments", async () => {
    const events = await drain(inference.generateStream({ ...chat("claude-sonnet-4-20250514", "please call tool"), tools: [WEATHER_TOOL] }));
    const deltas = events.flatMap((e) => (e.event.case === "toolCall" ? [e.event.value] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas[0]).toMatchObject({ index: 0, name: "get_weather" });
    expect(deltas.every((d) => d.index === 0)).toBe(true);
    expect(JSON.parse(deltas.map((d) => d.argumentsDelta).join(""))).toEqual({ city: "Paris" });
    const end = events.at(-1)!.event;
    if (end.case !== "end") throw new Error("no end event");
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(end.value.message?.toolCalls[0]).toMatchObject({ id: deltas[0]!.id, name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(end.value.usage?.provider).toBe("claude");
  });

  it.each([
    ["fake-401", Code.Unauthenticated],
    ["fake-404", Code.NotFound],
    ["fake-429", Code.ResourceExhausted],
    ["fake-529", Code.Unavailable],
    ["fake-500", Code.Unavailable],
  ])("%s maps to %s on Generate and GenerateStream", async (model, code) => {
    const unary = await rejection(inference.generate(chat(model, "x")));
    expect(Code[unary.code]).toBe(Code[code]);
    expect(unary.rawMessage).toContain(`provider "claude-${model.slice(5)}" answered HTTP ${model.slice(5)}`);
    const streamed = await rejection(drain(inference.generateStream(chat(model, "x"))));
    expect(Code[streamed.code]).toBe(Code[code]);
  });

  it("Embed is UNIMPLEMENTED", async () => {
    const err = await rejection(inference.embed({ model: "claude-embed", inputs: ["x"] }));
    expect(Code[err.code], err.rawMessage).toBe(Code[Code.Unimplemented]);
    expect(err.rawMessage).toContain('provider "claude" (anthropic) has no embeddings API');
  });

  it("ListModels shows the upstream's models (listed by the adapter, paged) as anthropic", async () => {
    const res = await models.listModels({});
    const served = res.models.filter((m) => m.provider === "claude");
    expect(served.map((m) => m.id)).toEqual(expect.arrayContaining(["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022", "fake-model"]));
    for (const m of res.models) expect(m).toMatchObject({ providerType: "anthropic", locality: Locality.LOCAL });
  });

  it("cancelling mid-stream closes the upstream connection mid-stream", async () => {
    const abort = new AbortController();
    let seen = 0;
    const err = await rejection(
      (async () => {
        for await (const _ of inference.generateStream(chat("fake-long-stream", "go"), { signal: abort.signal })) {
          if (++seen === 6) {
            abort.abort();
          }
        }
      })(),
    );
    expect(Code[err.code], err.rawMessage).toBe(Code[Code.Canceled]);
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(20);
  });
});
