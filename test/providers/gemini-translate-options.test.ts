// hoosh.v1 requests -> Gemini JSON: tools, tool_choice, generationConfig, model paths, embeddings.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ResponseFormat_Type, Role, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { EmbedRequestSchema, GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { modelPath, toBatchEmbedRequest, toGenerateContentRequest } from "../../server/providers/gemini/request.js";
import { checkGenerateRequest } from "../fakes/gemini/validate.js";
import { caughtSync, expectError } from "../unit/helpers.js";

type ChatInit = Extract<MessageInitShape<typeof GenerateRequestSchema>, { $typeName?: undefined }>;
const text = (value: string) => ({ part: { case: "text" as const, value } });
const req = (init: ChatInit = {}) =>
  create(GenerateRequestSchema, { model: "gemini-2.0-flash", messages: [{ role: Role.USER, content: [text("hi")] }], ...init });
/** What actually goes on the wire (undefined fields dropped). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
/** The body passes the fake's Google-style request checks. */
const acceptedByGoogle = (body: unknown) => expect(() => checkGenerateRequest(wire(body))).not.toThrow();

const WEATHER = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

describe("toGenerateContentRequest: tools, tool choice, generation config", () => {
  it("declares functions (schema converted) and maps every tool_choice", () => {
    const base = { tools: [WEATHER, { name: "ping", description: "", parameters: { type: "object", properties: {} } }] };
    const body = toGenerateContentRequest(req(base));
    expect(wire(body).tools).toEqual([
      {
        functionDeclarations: [
          { name: "get_weather", description: "Weather for a city", parameters: { type: "OBJECT", properties: { city: { type: "STRING" } }, required: ["city"] } },
          // No parameters: Gemini rejects an OBJECT with empty properties.
          { name: "ping" },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
    acceptedByGoogle(body);
    const config = (choice: ChatInit["toolChoice"]) => wire(toGenerateContentRequest(req({ ...base, toolChoice: choice }))).toolConfig;
    expect(config({ choice: { case: "mode", value: ToolChoice_Mode.AUTO } })).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(config({ choice: { case: "mode", value: ToolChoice_Mode.NONE } })).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(config({ choice: { case: "mode", value: ToolChoice_Mode.REQUIRED } })).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(config({ choice: { case: "functionName", value: "ping" } })).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["ping"] } });
    acceptedByGoogle(toGenerateContentRequest(req({ ...base, toolChoice: { choice: { case: "functionName", value: "ping" } } })));
  });

  it("sends no tools or toolConfig without tools", () => {
    const body = wire(toGenerateContentRequest(req({ toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.NONE } } })));
    expect(body).not.toHaveProperty("tools");
    expect(body).not.toHaveProperty("toolConfig");
    expect(body).not.toHaveProperty("generationConfig");
  });

  it("maps sampling to generationConfig", () => {
    const body = toGenerateContentRequest(
      req({ sampling: { temperature: 0.2, topP: 0.9, maxTokens: 64, stop: ["END", "##"], seed: 42n, presencePenalty: 0.5, frequencyPenalty: -0.5 } }),
    );
    expect(wire(body).generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 64,
      stopSequences: ["END", "##"],
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
    acceptedByGoogle(body);
  });

  it("rejects a seed outside int32, naming sampling.seed", () => {
    expectError(caughtSync(() => toGenerateContentRequest(req({ sampling: { seed: 2n ** 31n } }))), Code.InvalidArgument, "sampling.seed: 2147483648 is out of range for gemini");
  });

  it("JSON_OBJECT -> responseMimeType; JSON_SCHEMA -> + converted, ordered responseSchema", () => {
    const obj = wire(toGenerateContentRequest(req({ responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } })));
    expect(obj.generationConfig).toEqual({ responseMimeType: "application/json" });
    const body = toGenerateContentRequest(
      req({
        responseFormat: {
          type: ResponseFormat_Type.JSON_SCHEMA,
          schemaName: "person",
          strict: true,
          jsonSchema: {
            $schema: "https://json-schema.org/draft/2020-12/schema",
            type: "object",
            additionalProperties: false,
            properties: { name: { type: "string" }, age: { type: ["integer", "null"] } },
            required: ["name", "age"],
          },
        },
      }),
    );
    expect(wire(body).generationConfig).toEqual({
      responseMimeType: "application/json",
      responseSchema: {
        type: "OBJECT",
        properties: { name: { type: "STRING" }, age: { type: "INTEGER", nullable: true } },
        required: ["name", "age"],
        propertyOrdering: ["name", "age"],
      },
    });
    acceptedByGoogle(body);
  });
});

describe("paths and embeddings", () => {
  it("builds model method paths; full resource names pass through", () => {
    expect(modelPath("gemini-2.0-flash", "generateContent")).toBe("/models/gemini-2.0-flash:generateContent");
    expect(modelPath("models/gemini-2.0-flash", "streamGenerateContent")).toBe("/models/gemini-2.0-flash:streamGenerateContent");
    expect(modelPath("tunedModels/my-model-7", "generateContent")).toBe("/tunedModels/my-model-7:generateContent");
    expect(modelPath("a b?c", "generateContent")).toBe("/models/a%20b%3Fc:generateContent");
  });

  it("batchEmbedContents: one request per input with the model resource and dimensions", () => {
    const body = toBatchEmbedRequest(create(EmbedRequestSchema, { model: "text-embedding-004", inputs: ["a", "b"], dimensions: 3 }));
    expect(wire(body)).toEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "a" }] }, outputDimensionality: 3 },
        { model: "models/text-embedding-004", content: { parts: [{ text: "b" }] }, outputDimensionality: 3 },
      ],
    });
  });
});
