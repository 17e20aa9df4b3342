// hoosh.v1 <-> OpenAI chat-completions / embeddings JSON.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FinishReason, ImageDetail, ResponseFormat_Type, Role, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { fromFinishReason, fromUsage } from "../../server/providers/openai/enums.js";
import { toChatRequest as toChatPlan, toEmbeddingsRequest } from "../../server/providers/openai/request.js";
import { fromChatResponse, fromEmbeddingsResponse } from "../../server/providers/openai/response.js";

const toChatRequest = (...args: Parameters<typeof toChatPlan>) => toChatPlan(...args).body;

/** The plain-object branch of the init shape (not an already-built message). */
type ChatInit = Extract<MessageInitShape<typeof GenerateRequestSchema>, { $typeName?: undefined }>;
const text = (value: string) => ({ part: { case: "text" as const, value } });

function req(init: ChatInit = {}) {
  return create(GenerateRequestSchema, { model: "gpt-4o-mini", messages: [{ role: Role.USER, content: [text("hi")] }], ...init });
}

/** What actually goes on the wire (undefined fields dropped). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe("toChatRequest: messages", () => {
  it("maps every role, tool calls and tool results", () => {
    const body = toChatRequest(
      req({
        messages: [
          { role: Role.SYSTEM, content: [text("be brief")] },
          { role: Role.USER, name: "alice", content: [text("weather in Paris?")] },
          { role: Role.ASSISTANT, toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }] },
          { role: Role.TOOL, toolCallId: "call_1", content: [text('{"temp":21}')] },
          { role: Role.ASSISTANT, content: [text("21 degrees")] },
        ],
      }),
      "gpt-4o-mini",
      false,
    );
    expect(wire(body)).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", name: "alice", content: "weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
        { role: "assistant", content: "21 degrees" },
      ],
    });
  });

  it("uses the upstream model id it is given", () => {
    expect(toChatRequest(req(), "upstream-name", false).model).toBe("upstream-name");
  });

  it("multi-part content: text, image URL with detail, image bytes as a data URL, audio as input_audio", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const wav = new Uint8Array([0x52, 0x49, 0x46, 0x46]);
    const body = toChatRequest(
      req({
        messages: [
          {
            role: Role.USER,
            content: [
              text("describe"),
              { part: { case: "image", value: { source: { case: "url", value: "https://example.com/a.png" }, detail: ImageDetail.HIGH } } },
              { part: { case: "image", value: { source: { case: "data", value: png }, mimeType: "image/png" } } },
              { part: { case: "audio", value: { data: wav, format: "wav" } } },
            ],
          },
        ],
      }),
      "gpt-4o",
      false,
    );
    expect(wire(body).messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "describe" },
          { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "high" } },
          { type: "image_url", image_url: { url: `data:image/png;base64,${Buffer.from(png).toString("base64")}` } },
          { type: "input_audio", input_audio: { data: Buffer.from(wav).toString("base64"), format: "wav" } },
        ],
      },
    ]);
  });

  it("a single text part is a plain string; two text parts stay an array", () => {
    const two = toChatRequest(req({ messages: [{ role: Role.USER, content: [text("a"), text("b")] }] }), "m", false);
    expect(two.messages[0]!.content).toEqual([
      { type: "text", text: "a" },
      { type: "text", text: "b" },
    ]);
  });
});

describe("toChatRequest: tools, sampling, format, stream", () => {
  const parameters = { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] };

  it("tools keep their JSON-schema parameters; defaults for missing parameters", () => {
    const body = toChatRequest(
      req({ tools: [{ name: "get_weather", description: "Weather", parameters, strict: true }, { name: "ping" }], parallelToolCalls: false }),
      "m",
      false,
    );
    expect(wire(body).tools).toEqual([
      { type: "function", function: { name: "get_weather", description: "Weather", parameters, strict: true } },
      { type: "function", function: { name: "ping", parameters: { type: "object", properties: {} } } },
    ]);
    expect(body.parallel_tool_calls).toBe(false);
  });

  it("no tools → no tools, tool_choice or parallel_tool_calls on the wire", () => {
    const body = wire(toChatRequest(req({ parallelToolCalls: true }), "m", false));
    expect(body).not.toHaveProperty("tools");
    expect(body).not.toHaveProperty("tool_choice");
    expect(body).not.toHaveProperty("parallel_tool_calls");
  });

  it.each([
    [ToolChoice_Mode.AUTO, "auto"],
    [ToolChoice_Mode.NONE, "none"],
    [ToolChoice_Mode.REQUIRED, "required"],
    [ToolChoice_Mode.UNSPECIFIED, undefined],
  ])("tool_choice mode %s → %s", (mode, expected) => {
    const body = toChatRequest(req({ tools: [{ name: "f" }], toolChoice: { choice: { case: "mode", value: mode } } }), "m", false);
    expect(body.tool_choice).toBe(expected);
  });

  it("a forced function becomes {type:function}", () => {
    const body = toChatRequest(req({ tools: [{ name: "f" }], toolChoice: { choice: { case: "functionName", value: "f" } } }), "m", false);
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "f" } });
  });

  it("sampling fields, seed bigint → number, stop", () => {
    const body = toChatRequest(
      req({ sampling: { temperature: 0.5, topP: 0.9, maxTokens: 64, stop: ["\n\n", "END"], seed: 1234567890123n, presencePenalty: 0.5, frequencyPenalty: -0.5 } }),
      "m",
      false,
    );
    expect(body).toMatchObject({ temperature: 0.5, top_p: 0.9, max_tokens: 64, stop: ["\n\n", "END"], seed: 1234567890123, presence_penalty: 0.5, frequency_penalty: -0.5 });
    expect(typeof body.seed).toBe("number");
  });

  it("unset sampling fields stay off the wire (temperature 0 is kept)", () => {
    const body = wire(toChatRequest(req({ sampling: { temperature: 0 } }), "m", false));
    expect(body.temperature).toBe(0);
    for (const key of ["top_p", "max_tokens", "stop", "seed", "presence_penalty", "frequency_penalty", "response_format", "user", "stream", "stream_options"]) {
      expect(body, key).not.toHaveProperty(key);
    }
  });

  it("response_format json_object, json_schema (named and default name) and text", () => {
    const schema = { type: "object", properties: { a: { type: "number" } } };
    expect(toChatRequest(req({ responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), "m", false).response_format).toEqual({ type: "json_object" });
    expect(toChatRequest(req({ responseFormat: { type: ResponseFormat_Type.TEXT } }), "m", false).response_format).toEqual({ type: "text" });
    expect(
      toChatRequest(req({ responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: "answer", jsonSchema: schema, strict: true } }), "m", false)
        .response_format,
    ).toEqual({ type: "json_schema", json_schema: { name: "answer", schema, strict: true } });
    expect(
      toChatRequest(req({ responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, jsonSchema: schema } }), "m", false).response_format,
    ).toMatchObject({ json_schema: { name: "response", schema } });
  });

  it("stream adds stream and include_usage; user is forwarded", () => {
    const body = toChatRequest(req({ user: "u-1" }), "m", true);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.user).toBe("u-1");
  });
});

describe("fromChatResponse", () => {
  const usage = {
    prompt_tokens: 20,
    completion_tokens: 10,
    total_tokens: 30,
    prompt_tokens_details: { cached_tokens: 8, audio_tokens: 1 },
    completion_tokens_details: { reasoning_tokens: 4, audio_tokens: 2 },
  };

  it("maps content, id, model, finish reason and usage details", () => {
    const res = fromChatResponse({
      id: "chatcmpl-1",
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello!" }, finish_reason: "stop" }],
      usage,
    });
    expect(res.id).toBe("chatcmpl-1");
    expect(res.model).toBe("gpt-4o-mini-2024-07-18");
    expect(res.message?.role).toBe(Role.ASSISTANT);
    expect(res.message?.content).toHaveLength(1);
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "Hello!" });
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ inputTokens: 20, cachedInputTokens: 8, outputTokens: 10, reasoningTokens: 4, audioTokens: 3 });
  });

  it("maps tool calls (null content → no content parts)", () => {
    const res = fromChatResponse({
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "a", arguments: "{}" } },
              { id: "call_2", type: "function", function: { name: "b", arguments: '{"x":1}' } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
    });
    expect(res.message?.content).toEqual([]);
    expect(res.message?.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }))).toEqual([
      { id: "call_1", name: "a", arguments: "{}" },
      { id: "call_2", name: "b", arguments: '{"x":1}' },
    ]);
    expect(res.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(res.id).toBe("");
    expect(res.usage).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });

  it.each([
    ["stop", FinishReason.STOP],
    ["length", FinishReason.LENGTH],
    ["tool_calls", FinishReason.TOOL_CALLS],
    ["function_call", FinishReason.TOOL_CALLS],
    ["content_filter", FinishReason.CONTENT_FILTER],
    ["eos_token", FinishReason.UNSPECIFIED],
    ["", FinishReason.UNSPECIFIED],
    [null, FinishReason.UNSPECIFIED],
    [undefined, FinishReason.UNSPECIFIED],
  ])("finish reason %j → %s", (reason, expected) => {
    expect(fromFinishReason(reason)).toBe(expected);
  });

  it("an answer without choices is empty, not an exception", () => {
    const res = fromChatResponse({});
    expect(res.message?.content).toEqual([]);
    expect(res.finishReason).toBe(FinishReason.UNSPECIFIED);
  });

  it("fromUsage copes with null details", () => {
    expect(fromUsage({ prompt_tokens: 1, completion_tokens: 2, prompt_tokens_details: null, completion_tokens_details: null })).toMatchObject({
      inputTokens: 1,
      outputTokens: 2,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      audioTokens: 0,
    });
    expect(fromUsage(null).inputTokens).toBe(0);
  });
});

describe("embeddings", () => {
  it("toEmbeddingsRequest asks for floats with dimensions and user", () => {
    const body = toEmbeddingsRequest(create(EmbedRequestSchema, { model: "e", inputs: ["a", "b"], dimensions: 256, user: "u" }), "text-embedding-3-small");
    expect(body).toEqual({ model: "text-embedding-3-small", input: ["a", "b"], dimensions: 256, user: "u", encoding_format: "float" });
    expect(wire(toEmbeddingsRequest(create(EmbedRequestSchema, { model: "e", inputs: ["a"] }), "e"))).toEqual({
      model: "e",
      input: ["a"],
      encoding_format: "float",
    });
  });

  it("fromEmbeddingsResponse orders by index and keeps usage", () => {
    const res = fromEmbeddingsResponse({
      model: "text-embedding-3-small",
      data: [
        { index: 2, embedding: [0.5] },
        { index: 0, embedding: [0.25, -0.5] },
        { index: 1, embedding: [1] },
      ],
      usage: { prompt_tokens: 6, total_tokens: 6 },
    });
    expect(res.model).toBe("text-embedding-3-small");
    expect(res.embeddings.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(res.embeddings.map((e) => e.values)).toEqual([[0.25, -0.5], [1], [0.5]]);
    expect(res.usage?.inputTokens).toBe(6);
    expect(fromEmbeddingsResponse({}).embeddings).toEqual([]);
  });
});

describe("fromFinishReason with hostile strings", () => {
  it("prototype keys map to UNSPECIFIED, not to functions", () => {
    for (const r of ["constructor", "toString", "__proto__", "hasOwnProperty"]) expect(fromFinishReason(r)).toBe(FinishReason.UNSPECIFIED);
  });
});

describe("OpenAI quirks from presets", () => {
  it("max_completion_tokens for OpenAI's own API, and no stream_options where the server rejects them", () => {
    const req = create(GenerateRequestSchema, { model: "o3", messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "hi" } }] }], sampling: { maxTokens: 50 } });
    const openai = toChatRequest(req, "o3", true, { maxTokensField: "max_completion_tokens", streamUsage: true, topK: false });
    expect(openai.max_completion_tokens).toBe(50);
    expect(openai.max_tokens).toBeUndefined();
    const localai = toChatRequest(req, "o3", true, { maxTokensField: "max_tokens", streamUsage: false, topK: false });
    expect(localai.max_tokens).toBe(50);
    expect(localai.stream_options).toBeUndefined();
  });
});

