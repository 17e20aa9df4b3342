// A real `hoosh serve` with a provider of type "ollama" in front of the fake
// Ollama (both their own processes), called over gRPC (h2c) with the
// generated client. Skipped until the factory builds "ollama" providers.
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality, ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { ConfigError, parseConfig } from "../../server/config/index.js";
import { createProvider } from "../../server/providers/factory.js";
import { Transport } from "../../server/providers/transport.js";
import { startFakeOllama, type FakeOllama, type FakeOllamaEvent } from "../fakes/spawn-ollama.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";

const config = (baseUrl: string) => `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[router]
backoff_ms = 1
backoff_max_ms = 5
max_retry_after_ms = 0

[[providers]]
name = "ollama-local"
type = "ollama"
base_url = "${baseUrl}"
models = ["llama*", "qwen*", "llava*", "nomic-*", "fake-*"]
timeouts = { connect_ms = 1000, first_byte_ms = 5000, idle_ms = 5000 }
# The scripted failures below must not open the circuit for the tests after them.
breaker = { failures = 1000, cooldown_ms = 1 }
`;


const text = (value: string) => [{ part: { case: "text" as const, value } }];
const chat = (model: string, prompt: string) => ({ model, messages: [{ role: Role.USER, content: text(prompt) }] });
const textOf = (m: { content: { part: { case?: string; value?: unknown } }[] } | undefined) =>
  (m?.content ?? []).map((p) => (p.part.case === "text" ? (p.part.value as string) : "")).join("");
const WEATHER_TOOL = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

async function rejection(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

describe("hoosh with an ollama provider, over gRPC", () => {
  let fake: FakeOllama;
  let hoosh: Hoosh;
  let session: Http2SessionManager;
  let inference: Client<typeof InferenceService>;
  let models: Client<typeof ModelsService>;

  beforeAll(async () => {
    fake = await startFakeOllama();
    hoosh = await startHoosh(config(fake.baseUrl));
    session = new Http2SessionManager(hoosh.url);
    const transport = createGrpcTransport({ baseUrl: hoosh.url, sessionManager: session });
    inference = createClient(InferenceService, transport);
    models = createClient(ModelsService, transport);
  }, 30_000);

  afterAll(async () => {
    session?.abort();
    await hoosh?.stop();
    await fake?.stop();
  });

  beforeEach(async () => {
    await fake.reset();
  });

  const chatRequests = async (model: string): Promise<FakeOllamaEvent[]> =>
    (await fake.events()).filter((e) => e.type === "request" && e.path === "/api/chat" && e.model === model);

  it("Generate returns the echo with usage, sent to /api/chat with stream:false", async () => {
    const res = await inference.generate(chat("llama3.2", "hello ollama"));
    expect(textOf(res.message)).toBe("echo: hello ollama");
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ provider: "ollama-local", inputTokens: 5, outputTokens: 3 });
    expect(await chatRequests("llama3.2")).toMatchObject([{ stream: false, body: { stream: false, messages: [{ role: "user", content: "hello ollama" }] } }]);
  });

  it("GenerateStream with a tool call: one delta with id, name and arguments, assembled in the end event", async () => {
    const events: GenerateStreamResponse["event"][] = [];
    for await (const res of inference.generateStream({ ...chat("qwen3:8b", "call tool get_weather"), tools: [WEATHER_TOOL] })) events.push(res.event);
    expect(events.map((e) => e.case)).toEqual(["start", "toolCall", "end"]);
    expect(events[0]!.value).toMatchObject({ provider: "ollama-local", model: "qwen3:8b" });
    expect(events[1]!.value).toMatchObject({ index: 0, id: "call_0", name: "get_weather", argumentsDelta: '{"city":"Paris"}' });
    const end = events[2]!;
    if (end.case !== "end") throw new Error("no end event");
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(end.value.message?.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual([["call_0", "get_weather", '{"city":"Paris"}']]);
    expect(end.value.usage?.provider).toBe("ollama-local");
    expect(await chatRequests("qwen3:8b")).toMatchObject([{ stream: true, body: { stream: true, tools: [{ type: "function", function: { name: "get_weather" } }] } }]);
  });

  it("GenerateStream of text: deltas that assemble into the echo", async () => {
    const events: GenerateStreamResponse["event"][] = [];
    for await (const res of inference.generateStream(chat("llama3.2", "a b c"))) events.push(res.event);
    expect(events.map((e) => e.case)).toEqual(["start", "text", "text", "text", "text", "end"]);
    const end = events.at(-1)!;
    if (end.case !== "end") throw new Error("no end event");
    expect(textOf(end.value.message)).toBe("echo: a b c");
  });

  it("Embed returns one vector per input, in input order", async () => {
    const res = await inference.embed({ model: "nomic-embed-text:latest", inputs: ["first", "second input"], dimensions: 16 });
    expect(res.embeddings.map((e) => [e.index, e.values.length])).toEqual([[0, 16], [1, 16]]);
    expect(res.usage).toMatchObject({ provider: "ollama-local", inputTokens: 3 });
  });

  it("ListModels shows the ids from /api/tags as an ollama provider's, local", async () => {
    const res = await models.listModels({ provider: "ollama-local" });
    expect(res.models.map((m) => m.id)).toEqual(["llama3.2:latest", "llava:7b", "nomic-embed-text:latest", "qwen3:8b"]);
    for (const m of res.models) expect(m).toMatchObject({ provider: "ollama-local", providerType: "ollama", locality: Locality.LOCAL });
  });

  it.each([
    ["fake-404", Code.NotFound, 'model "fake-404" not found, try pulling it first'],
    ["fake-400", Code.InvalidArgument, "invalid options"],
    ["fake-429", Code.ResourceExhausted, "too many requests"],
    ["fake-500", Code.Unavailable, "llama runner process has terminated"],
  ])("%s → %s, unary and streaming", async (model, code, detail) => {
    const unary = await rejection(inference.generate(chat(model, "x")));
    expect(Code[unary.code]).toBe(Code[code]);
    expect(unary.rawMessage).toContain(detail);
    const streamed = await rejection((async () => {
      for await (const _ of inference.generateStream(chat(model, "x"))) void _;
    })());
    expect(Code[streamed.code]).toBe(Code[code]);
  });

  it("an error line mid-stream ends the stream Unavailable after the deltas", async () => {
    const seen: string[] = [];
    const err = await rejection((async () => {
      for await (const res of inference.generateStream(chat("fake-stream-error", "a b c d"))) seen.push(res.event.case ?? "");
    })());
    expect(Code[err.code]).toBe("Unavailable");
    expect(err.rawMessage).toContain("failed mid-stream: an error was encountered while running the model");
    expect(seen).toEqual(["start", "text", "text"]);
  });

  it("an http image URL is InvalidArgument naming the field, without an upstream call", async () => {
    const image = { part: { case: "image" as const, value: { source: { case: "url" as const, value: "https://example.com/cat.png" } } } };
    const err = await rejection(inference.generate({ model: "llava:7b", messages: [{ role: Role.USER, content: [...text("what?"), image] }] }));
    expect(Code[err.code]).toBe("InvalidArgument");
    expect(err.rawMessage).toContain("messages[0].content[1].image.url");
    expect(await chatRequests("llava:7b")).toHaveLength(0);
  });

  // Mid-stream: the fake counts the chunks (50 ms apart) it sent before the connection closed.
  it("a client cancel mid-stream closes the upstream connection mid-stream", async () => {
    const abort = new AbortController();
    let abortedAt = 0;
    let texts = 0;
    const err = await rejection((async () => {
      for await (const res of inference.generateStream(chat("fake-long-stream", "go"), { signal: abort.signal })) {
        if (res.event.case === "text" && ++texts === 5) {
          abortedAt = Date.now();
          abort.abort();
        }
      }
    })());
    expect(Code[err.code]).toBe("Canceled");
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 3_000);
    if (closed.type !== "client-closed") throw new Error("unexpected event");
    expect(closed.at - abortedAt).toBeGreaterThanOrEqual(0);
    expect(closed.afterChunks).toBeLessThan(20);
    expect(await chatRequests("fake-long-stream")).toHaveLength(1);
  });
});
