// hoosh.v1 <-> Ollama /api/chat parameters, responses, /api/embed JSON, and Ollama error bodies.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FinishReason, ResponseFormat_Type, Role, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { describeError, ollamaHttpError } from "../../server/providers/ollama/errors.js";
import { toChatRequest, toEmbedRequest } from "../../server/providers/ollama/request.js";
import { fromChatResponse, fromDoneReason, fromEmbedResponse } from "../../server/providers/ollama/response.js";
import { caughtSync, expectError } from "../unit/helpers.js";

type ChatInit = Extract<MessageInitShape<typeof GenerateRequestSchema>, { $typeName?: undefined }>;
const text = (value: string) => ({ part: { case: "text" as const, value } });

function req(init: ChatInit = {}) {
  return create(GenerateRequestSchema, { model: "llama3.2", messages: [{ role: Role.USER, content: [text("hi")] }], ...init });
}

/** What actually goes on the wire (undefined fields dropped). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe("toChatRequest: parameters", () => {
  it("sends no options, format or tools when the request has none; stream is always explicit", () => {
    expect(wire(toChatRequest(req(), "llama3.2", false))).toEqual({ model: "llama3.2", messages: [{ role: "user", content: "hi" }], stream: false });
  });

  it("maps sampling to options (max_tokens → num_predict, seed as a number)", () => {
    const body = toChatRequest(
      req({ sampling: { temperature: 0.2, topP: 0.9, maxTokens: 64, stop: ["\n\n", "END"], seed: 42n, presencePenalty: 0.5, frequencyPenalty: -0.5 } }),
      "m",
      false,
    );
    expect(body.options).toEqual({ temperature: 0.2, top_p: 0.9, num_predict: 64, stop: ["\n\n", "END"], seed: 42, presence_penalty: 0.5, frequency_penalty: -0.5 });
    expect(wire(toChatRequest(req({ sampling: { temperature: 0 } }), "m", false)).options).toEqual({ temperature: 0 });
    expect(toChatRequest(req({ sampling: {} }), "m", false).options).toBeUndefined();
  });

  it("JSON_OBJECT → format \"json\"; JSON_SCHEMA → the schema object; TEXT → no format", () => {
    const schema = { type: "object", properties: { age: { type: "integer" } }, required: ["age"] };
    expect(toChatRequest(req({ responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), "m", false).format).toBe("json");
    expect(toChatRequest(req({ responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: "person", jsonSchema: schema } }), "m", false).format).toEqual(schema);
    expect(toChatRequest(req({ responseFormat: { type: ResponseFormat_Type.TEXT } }), "m", false).format).toBeUndefined();
  });

  it("tools as functions; tool_choice none drops them, a named function keeps only it", () => {
    const tools = [
      { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } },
      { name: "get_time" },
    ];
    expect(wire(toChatRequest(req({ tools }), "m", false)).tools).toEqual([
      { type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } } },
      { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
    ]);
    expect(toChatRequest(req({ tools, toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.NONE } } }), "m", false).tools).toBeUndefined();
    expect(toChatRequest(req({ tools, toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.REQUIRED } } }), "m", false).tools).toHaveLength(2);
    expect(toChatRequest(req({ tools, toolChoice: { choice: { case: "functionName", value: "get_time" } } }), "m", false).tools?.map((t) => t.function.name)).toEqual(["get_time"]);
  });
});

describe("fromChatResponse", () => {
  const base = { model: "qwen3:8b", created_at: "2025-01-01T00:00:00.000Z", done: true, total_duration: 1, prompt_eval_count: 26, eval_count: 9 };

  it("text answer with usage; thinking is a reasoning part, out of the text", () => {
    const res = fromChatResponse({ ...base, message: { role: "assistant", content: "Hello!", thinking: "The user greets me." }, done_reason: "stop" });
    expect(res.model).toBe("qwen3:8b");
    expect(res.message?.content.map((p) => p.part)).toEqual([
      { case: "reasoning", value: expect.objectContaining({ text: "The user greets me." }) },
      { case: "text", value: "Hello!" },
    ]);
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ inputTokens: 26, outputTokens: 9, cachedInputTokens: 0 });
  });

  it("tool calls: synthesised ids call_<n>, arguments as JSON text, finish TOOL_CALLS even with done_reason stop", () => {
    const res = fromChatResponse({
      ...base,
      message: {
        role: "assistant",
        content: "",
        tool_calls: [
          { function: { name: "get_weather", arguments: { city: "Paris", unit: "c" } } },
          { id: "call_from_server", function: { name: "get_time", arguments: {} } },
        ],
      },
      done_reason: "stop",
    });
    expect(res.message?.content).toEqual([]);
    expect(res.message?.toolCalls.map(({ id, name, arguments: a }) => ({ id, name, a }))).toEqual([
      { id: "call_0", name: "get_weather", a: '{"city":"Paris","unit":"c"}' },
      { id: "call_from_server", name: "get_time", a: "{}" },
    ]);
    expect(res.finishReason).toBe(FinishReason.TOOL_CALLS);
  });

  it.each([
    ["stop", false, FinishReason.STOP],
    ["length", false, FinishReason.LENGTH],
    [undefined, false, FinishReason.STOP],
    ["load", false, FinishReason.UNSPECIFIED],
    ["unload", false, FinishReason.UNSPECIFIED],
    ["length", true, FinishReason.TOOL_CALLS],
  ] as const)("done_reason %s (tool calls: %s) → %s", (reason, calls, finish) => {
    expect(fromDoneReason(reason, calls)).toBe(finish);
  });

  it("a bare answer (no counts, no message) gives zero usage and no content", () => {
    const res = fromChatResponse({ done: true });
    expect(res.usage).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(res.message?.content).toEqual([]);
  });
});

describe("embeddings", () => {
  it("toEmbedRequest sends input and dimensions", () => {
    expect(wire(toEmbedRequest(create(EmbedRequestSchema, { model: "x", inputs: ["a", "b"] }), "nomic-embed-text"))).toEqual({ model: "nomic-embed-text", input: ["a", "b"] });
    expect(toEmbedRequest(create(EmbedRequestSchema, { model: "x", inputs: ["a"], dimensions: 256 }), "m").dimensions).toBe(256);
  });

  it("fromEmbedResponse keeps input order and prompt_eval_count", () => {
    const res = fromEmbedResponse("ollama", { model: "nomic-embed-text", embeddings: [[0.5, -0.5], [1, 0]], prompt_eval_count: 8 }, 2);
    expect(res.embeddings.map((e) => [e.index, e.values])).toEqual([[0, [0.5, -0.5]], [1, [1, 0]]]);
    expect(res.usage?.inputTokens).toBe(8);
    expect(res.model).toBe("nomic-embed-text");
  });

  it("a vector count other than the input count → Internal", () => {
    const err = caughtSync(() => fromEmbedResponse("ollama", { embeddings: [[1]] }, 2));
    expectError(err, Code.Internal, 'provider "ollama" answered 1 embeddings for 2 inputs');
  });
});

describe("errors", () => {
  it("describeError reads {\"error\"} bodies and keeps other text, with a base_url hint for a bare 404", () => {
    expect(describeError(404, '{"error":"model \\"llama9\\" not found, try pulling it first"}')).toBe('model "llama9" not found, try pulling it first');
    expect(describeError(502, "<html>Bad Gateway</html>")).toBe("<html>Bad Gateway</html>");
    expect(describeError(500, "")).toBe("(empty body)");
    expect(describeError(404, "404 page not found")).toBe('404 page not found (is base_url the server root, e.g. "http://127.0.0.1:11434", without /v1?)');
  });

  it.each([
    [400, Code.InvalidArgument],
    [401, Code.Unauthenticated],
    [404, Code.NotFound],
    [429, Code.ResourceExhausted],
    [500, Code.Unavailable],
    [503, Code.Unavailable],
  ])("HTTP %i → %s", (status, code) => {
    const err = ollamaHttpError("local", status, '{"error":"boom"}', status === 429 ? "3" : undefined);
    expectError(err, code, `provider "local" answered HTTP ${status}: boom`);
    if (status === 429) expect(err.metadata.get("retry-after")).toBe("3");
  });
});
