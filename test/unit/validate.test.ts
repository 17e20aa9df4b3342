// validateChatRequest / validateEmbedRequest: every check, with the exact field path.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ResponseFormat_Type, Role, RoutingStrategy, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { validateChatRequest, validateEmbedRequest, type RequestLimits } from "../../server/core/validate.js";
import { caughtSync, expectError } from "./helpers.js";

const LIMITS: RequestLimits = { maxMessages: 4, maxEmbedInputs: 3 };

/** The plain-object branch of the init shape (not an already-built message). */
type ChatInit = Extract<MessageInitShape<typeof GenerateRequestSchema>, { $typeName?: undefined }>;
type EmbedInit = Extract<MessageInitShape<typeof EmbedRequestSchema>, { $typeName?: undefined }>;
type MessageInit = NonNullable<ChatInit["messages"]>[number];

const text = (value: string) => ({ part: { case: "text" as const, value } });
const user = (value = "hi"): MessageInit => ({ role: Role.USER, content: [text(value)] });

function chat(init: ChatInit = {}) {
  return create(GenerateRequestSchema, { model: "gpt-4o-mini", messages: [user()], ...init });
}

function chatError(init: ChatInit, prefix: string) {
  const err = caughtSync(() => validateChatRequest(chat(init), LIMITS));
  expectError(err, Code.InvalidArgument, prefix);
  return err.rawMessage;
}

function embed(init: EmbedInit = {}) {
  return create(EmbedRequestSchema, { model: "text-embedding-3-small", inputs: ["a", "b"], ...init });
}

function embedError(init: EmbedInit, prefix: string) {
  const err = caughtSync(() => validateEmbedRequest(embed(init), LIMITS));
  expectError(err, Code.InvalidArgument, prefix);
  return err.rawMessage;
}

describe("validateChatRequest: good requests", () => {
  it("accepts a minimal request", () => {
    expect(() => validateChatRequest(chat(), LIMITS)).not.toThrow();
  });

  it("accepts a full conversation with every feature", () => {
    const req = chat({
      messages: [
        { role: Role.SYSTEM, content: [text("be brief")] },
        {
          role: Role.USER,
          content: [
            text("what is this?"),
            { part: { case: "image", value: { source: { case: "url", value: "https://example.com/cat.png" } } } },
            { part: { case: "image", value: { source: { case: "url", value: "data:image/png;base64,AAAA" } } } },
            { part: { case: "image", value: { source: { case: "data", value: new Uint8Array([1, 2]) }, mimeType: "image/jpeg" } } },
            { part: { case: "audio", value: { data: new Uint8Array([1]), format: "wav" } } },
          ],
        },
        { role: Role.ASSISTANT, toolCalls: [{ id: "call_1", name: "get_weather", arguments: "{}" }] },
        { role: Role.TOOL, toolCallId: "call_1", content: [text("sunny")] },
      ],
      tools: [{ name: "get_weather", parameters: { type: "object" } }, { name: "other-tool_2" }],
      toolChoice: { choice: { case: "functionName", value: "get_weather" } },
      sampling: { temperature: 2, topP: 1, presencePenalty: -2, frequencyPenalty: 2, maxTokens: 1, stop: ["a", "b", "c", "d"], seed: 7n },
      responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, jsonSchema: { type: "object" } },
      routing: { strategy: RoutingStrategy.WEIGHTED },
    });
    expect(() => validateChatRequest(req, LIMITS)).not.toThrow();
  });

  it("accepts boundary sampling values and tool_choice modes", () => {
    for (const sampling of [{ temperature: 0 }, { topP: 0.0001 }, { presencePenalty: 2 }, { frequencyPenalty: -2 }, {}]) {
      expect(() => validateChatRequest(chat({ sampling }), LIMITS)).not.toThrow();
    }
    for (const mode of [ToolChoice_Mode.AUTO, ToolChoice_Mode.NONE, ToolChoice_Mode.REQUIRED]) {
      expect(() => validateChatRequest(chat({ tools: [{ name: "t" }], toolChoice: { choice: { case: "mode", value: mode } } }), LIMITS)).not.toThrow();
    }
    // auto and none are harmless without tools (the adapter then sends no tool_choice).
    for (const mode of [ToolChoice_Mode.AUTO, ToolChoice_Mode.NONE]) {
      expect(() => validateChatRequest(chat({ toolChoice: { choice: { case: "mode", value: mode } } }), LIMITS)).not.toThrow();
    }
  });

  it("accepts exactly maxMessages messages and 256-character models", () => {
    expect(() => validateChatRequest(chat({ messages: [user(), user(), user(), user()] }), LIMITS)).not.toThrow();
    expect(() => validateChatRequest(chat({ model: "m".repeat(256) }), LIMITS)).not.toThrow();
  });
});

describe("validateChatRequest: model and messages", () => {
  it("model is required", () => {
    expect(chatError({ model: "" }, "model:")).toContain("is required");
    chatError({ model: "   " }, "model:");
  });

  it("model is at most 256 characters", () => {
    expect(chatError({ model: "m".repeat(257) }, "model:")).toContain("257 characters long; at most 256");
  });

  it("messages must not be empty or exceed the limit", () => {
    expect(chatError({ messages: [] }, "messages:")).toContain("is empty");
    expect(chatError({ messages: [user(), user(), user(), user(), user()] }, "messages:")).toContain("has 5 messages; at most 4");
  });

  it("role must be set and known, naming the allowed roles", () => {
    const unspecified = chatError({ messages: [user(), { role: Role.UNSPECIFIED, content: [text("x")] }] }, "messages[1].role:");
    expect(unspecified).toContain("ROLE_UNSPECIFIED is not allowed");
    expect(unspecified).toContain("ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT, ROLE_TOOL");
    const unknown = chatError({ messages: [{ role: 9 as Role, content: [text("x")] }] }, "messages[0].role:");
    expect(unknown).toContain("9 is not allowed");
  });

  it("a message needs content or tool calls", () => {
    expect(chatError({ messages: [user(), { role: Role.USER }] }, "messages[1].content:")).toContain("is empty");
  });

  it("an empty content part is rejected", () => {
    expect(chatError({ messages: [{ role: Role.USER, content: [text("a"), {}] }] }, "messages[0].content[1]:")).toContain("text, image, audio");
  });

  it("image parts need a source, an allowed URL and an image MIME type", () => {
    const img = (value: object) => ({ role: Role.USER, content: [{ part: { case: "image" as const, value } }] });
    chatError({ messages: [img({})] }, "messages[0].content[0].image:");
    const url = chatError({ messages: [img({ source: { case: "url", value: "file:///etc/passwd" } })] }, "messages[0].content[0].image.url:");
    expect(url).toContain('"file:///etc/passwd"');
    expect(url).toContain("http(s) URL or a data:image/");
    chatError({ messages: [img({ source: { case: "url", value: "data:text/plain;base64,AA" } })] }, "messages[0].content[0].image.url:");
    const mime = chatError(
      { messages: [img({ source: { case: "data", value: new Uint8Array([1]) }, mimeType: "text/plain" })] },
      "messages[0].content[0].image.mime_type:",
    );
    expect(mime).toContain('"text/plain"');
    chatError({ messages: [img({ source: { case: "data", value: new Uint8Array([1]) } })] }, "messages[0].content[0].image.mime_type:");
  });

  it("audio parts need data", () => {
    chatError(
      { messages: [user(), { role: Role.USER, content: [text("a"), { part: { case: "audio", value: { format: "wav" } } }] }] },
      "messages[1].content[1].audio.data:",
    );
  });

  it("tool_calls are only allowed on assistant messages and need an id and a valid name", () => {
    const call = { id: "c1", name: "f", arguments: "{}" };
    chatError({ messages: [{ role: Role.USER, content: [text("x")], toolCalls: [call] }] }, "messages[0].tool_calls:");
    chatError({ messages: [{ role: Role.ASSISTANT, toolCalls: [call, { ...call, id: "" }] }] }, "messages[0].tool_calls[1].id:");
    const name = chatError({ messages: [{ role: Role.ASSISTANT, toolCalls: [{ ...call, name: "bad name" }] }] }, "messages[0].tool_calls[0].name:");
    expect(name).toContain('"bad name"');
  });

  it("tool messages need tool_call_id", () => {
    chatError({ messages: [user(), { role: Role.TOOL, content: [text("result")] }] }, "messages[1].tool_call_id:");
  });
});

describe("validateChatRequest: tools and tool_choice", () => {
  it("tool names must match the allowed pattern", () => {
    expect(chatError({ tools: [{ name: "ok" }, { name: "has space" }] }, "tools[1].name:")).toContain('"has space" must match');
    chatError({ tools: [{ name: "" }] }, "tools[0].name:");
    chatError({ tools: [{ name: "x".repeat(65) }] }, "tools[0].name:");
  });

  it("tool names must be unique", () => {
    expect(chatError({ tools: [{ name: "f" }, { name: "f" }] }, "tools[1].name:")).toContain("defined twice");
  });

  it("a forced function must be one of the tools, listing them", () => {
    const msg = chatError(
      { tools: [{ name: "a" }, { name: "b" }], toolChoice: { choice: { case: "functionName", value: "c" } } },
      "tool_choice.function_name:",
    );
    expect(msg).toContain('"c" is not one of the tools: a, b');
    expect(chatError({ toolChoice: { choice: { case: "functionName", value: "c" } } }, "tool_choice:")).toContain("requires at least one entry in tools");
    expect(chatError({ toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.REQUIRED } } }, "tool_choice:")).toContain("requires at least one entry in tools");
  });
});

describe("validateChatRequest: sampling", () => {
  it.each([
    ["temperature", { temperature: -0.1 }, "sampling.temperature:", "0..2"],
    ["temperature", { temperature: 2.1 }, "sampling.temperature:", "0..2"],
    ["temperature NaN", { temperature: Number.NaN }, "sampling.temperature:", "0..2"],
    ["top_p 0 (exclusive)", { topP: 0 }, "sampling.top_p:", ">0..1"],
    ["top_p", { topP: 1.5 }, "sampling.top_p:", ">0..1"],
    ["presence_penalty", { presencePenalty: -2.5 }, "sampling.presence_penalty:", "-2..2"],
    ["frequency_penalty", { frequencyPenalty: 3 }, "sampling.frequency_penalty:", "-2..2"],
    ["frequency_penalty Infinity", { frequencyPenalty: Number.POSITIVE_INFINITY }, "sampling.frequency_penalty:", "-2..2"],
  ])("%s out of range", (_name, sampling, prefix, allowed) => {
    const msg = chatError({ sampling }, prefix);
    expect(msg).toContain("is out of range");
    expect(msg).toContain(`allowed: ${allowed}`);
  });

  it("max_tokens must be at least 1", () => {
    chatError({ sampling: { maxTokens: 0 } }, "sampling.max_tokens:");
  });

  it("at most 4 stop sequences, none empty", () => {
    expect(chatError({ sampling: { stop: ["a", "b", "c", "d", "e"] } }, "sampling.stop:")).toContain("at most 4");
    chatError({ sampling: { stop: ["a", ""] } }, "sampling.stop[1]:");
  });
});

describe("validateChatRequest: response_format and routing", () => {
  it("unknown response_format.type names the allowed types", () => {
    expect(chatError({ responseFormat: { type: 7 as ResponseFormat_Type } }, "response_format.type:")).toContain(
      "TYPE_TEXT, TYPE_JSON_OBJECT, TYPE_JSON_SCHEMA",
    );
  });

  it("TYPE_JSON_SCHEMA needs json_schema", () => {
    chatError({ responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA } }, "response_format.json_schema:");
    expect(() => validateChatRequest(chat({ responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), LIMITS)).not.toThrow();
  });

  it("unknown routing.strategy names the allowed strategies", () => {
    const msg = chatError({ routing: { strategy: 42 as RoutingStrategy } }, "routing.strategy:");
    expect(msg).toContain("ROUTING_STRATEGY_PRIORITY");
    expect(msg).toContain("ROUTING_STRATEGY_WEIGHTED");
  });

  it("routing is bounded: at most 8 fallback models, each named, names up to 256 characters", () => {
    expect(() => validateChatRequest(chat({ routing: { fallbackModels: Array(8).fill("m"), provider: "p".repeat(256) } }), LIMITS)).not.toThrow();
    expect(chatError({ routing: { fallbackModels: Array(9).fill("m") } }, "routing.fallback_models:")).toBe("routing.fallback_models: has 9 models; at most 8 are allowed");
    expect(chatError({ routing: { fallbackModels: ["a", " "] } }, "routing.fallback_models[1]:")).toBe("routing.fallback_models[1]: is empty; name a model");
    expect(chatError({ routing: { fallbackModels: ["x".repeat(257)] } }, "routing.fallback_models[0]:")).toContain("is 257 characters long; at most 256");
    expect(chatError({ routing: { provider: "p".repeat(257) } }, "routing.provider:")).toContain("at most 256");
    // 300,000 names: refused on the length alone.
    const huge = Array.from({ length: 300_000 }, (_, i) => `m${i}`);
    expect(chatError({ routing: { fallbackModels: huge } }, "routing.fallback_models:")).toContain("has 300000 models");
  });
});

describe("validateEmbedRequest", () => {
  it("accepts good requests", () => {
    expect(() => validateEmbedRequest(embed(), LIMITS)).not.toThrow();
    expect(() => validateEmbedRequest(embed({ inputs: ["a", "b", "c"], dimensions: 1, routing: { strategy: RoutingStrategy.DIRECT } }), LIMITS)).not.toThrow();
  });

  it("model is required", () => {
    embedError({ model: "" }, "model:");
  });

  it("inputs must be non-empty, within the limit and each non-empty", () => {
    expect(embedError({ inputs: [] }, "inputs:")).toContain("is empty");
    expect(embedError({ inputs: ["a", "b", "c", "d"] }, "inputs:")).toContain("has 4 inputs; at most 3");
    embedError({ inputs: ["a", "b", ""] }, "inputs[2]:");
  });

  it("dimensions must be at least 1", () => {
    embedError({ dimensions: 0 }, "dimensions:");
  });

  it("unknown routing.strategy is rejected; routing is bounded", () => {
    embedError({ routing: { strategy: 99 as RoutingStrategy } }, "routing.strategy:");
    embedError({ routing: { fallbackModels: Array(9).fill("m") } }, "routing.fallback_models:");
  });
});
