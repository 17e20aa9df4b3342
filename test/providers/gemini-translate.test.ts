// hoosh.v1 conversations -> Gemini contents: roles, system instruction, parts, tool calls and results.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { toGenerateContentRequest } from "../../server/providers/gemini/request.js";
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

describe("toGenerateContentRequest: messages", () => {
  it("system -> systemInstruction, user/assistant -> user/model, tool calls and results round-trip", () => {
    const body = toGenerateContentRequest(
      req({
        messages: [
          { role: Role.SYSTEM, content: [text("be brief")] },
          { role: Role.USER, content: [text("weather in Paris and Rome?")] },
          {
            role: Role.ASSISTANT,
            content: [text("")],
            toolCalls: [
              { id: "call_0", name: "get_weather", arguments: '{"city":"Paris"}' },
              { id: "call_1", name: "get_time", arguments: "" },
            ],
          },
          { role: Role.TOOL, toolCallId: "call_0", content: [text('{"temp":21}')] },
          { role: Role.TOOL, toolCallId: "call_1", content: [text("noon")] },
          { role: Role.ASSISTANT, content: [text("21 degrees at noon")] },
          { role: Role.SYSTEM, content: [text("answer in French")] },
          { role: Role.USER, content: [text("merci")] },
        ],
      }),
    );
    expect(wire(body)).toEqual({
      systemInstruction: { parts: [{ text: "be brief" }, { text: "answer in French" }] },
      contents: [
        { role: "user", parts: [{ text: "weather in Paris and Rome?" }] },
        // The first call of a turn carries the placeholder thought signature (Gemini 3 requires one).
        {
          role: "model",
          parts: [
            { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "skip_thought_signature_validator" },
            { functionCall: { name: "get_time", args: {} } },
          ],
        },
        // Both results in one user turn, as Gemini requires; non-object results wrapped.
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { temp: 21 } } },
            { functionResponse: { name: "get_time", response: { content: "noon" } } },
          ],
        },
        { role: "model", parts: [{ text: "21 degrees at noon" }] },
        { role: "user", parts: [{ text: "merci" }] },
      ],
    });
    acceptedByGoogle(body);
  });

  it("finds the tool name of the nearest earlier call with a repeated id (ids restart each turn)", () => {
    const body = toGenerateContentRequest(
      req({
        messages: [
          { role: Role.USER, content: [text("a")] },
          { role: Role.ASSISTANT, toolCalls: [{ id: "call_0", name: "first", arguments: "{}" }] },
          { role: Role.TOOL, toolCallId: "call_0", content: [text("1")] },
          { role: Role.ASSISTANT, toolCalls: [{ id: "call_0", name: "second", arguments: "{}" }] },
          { role: Role.TOOL, toolCallId: "call_0", content: [text("[1,2]")] },
        ],
      }),
    );
    expect(wire(body).contents).toMatchObject([
      {},
      {},
      { parts: [{ functionResponse: { name: "first" } }] },
      {},
      { parts: [{ functionResponse: { name: "second", response: { content: "[1,2]" } } }] },
    ]);
  });

  it("rejects a tool result whose id matches no earlier call, naming messages[i].tool_call_id", () => {
    const err = caughtSync(() =>
      toGenerateContentRequest(req({ messages: [{ role: Role.USER, content: [text("a")] }, { role: Role.TOOL, toolCallId: "call_9", content: [text("x")] }] })),
    );
    expectError(err, Code.InvalidArgument, 'messages[1].tool_call_id: "call_9" does not match');
  });

  it("rejects tool-call arguments that are not a JSON object, naming messages[i].tool_calls[j].arguments", () => {
    const call = (args: string) => () =>
      toGenerateContentRequest(req({ messages: [{ role: Role.ASSISTANT, toolCalls: [{ id: "a", name: "f", arguments: "{}" }, { id: "b", name: "g", arguments: args }] }] }));
    expectError(caughtSync(call("{oops")), Code.InvalidArgument, 'messages[0].tool_calls[1].arguments: "{oops" is not valid JSON');
    expectError(caughtSync(call("[1]")), Code.InvalidArgument, 'messages[0].tool_calls[1].arguments: "[1]" is not a JSON object');
  });

  it("images: bytes and data: URLs -> inlineData, other URLs -> fileData; audio -> inlineData", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const body = toGenerateContentRequest(
      req({
        messages: [
          {
            role: Role.USER,
            content: [
              text("what is this?"),
              { part: { case: "image", value: { source: { case: "data", value: png }, mimeType: "image/png" } } },
              { part: { case: "image", value: { source: { case: "url", value: "data:image/webp;base64,UklG RkY=" } } } },
              { part: { case: "image", value: { source: { case: "url", value: "data:image/svg+xml,%3Csvg%2F%3E" } } } },
              { part: { case: "image", value: { source: { case: "url", value: "https://example.com/cat.PNG?size=2" } } } },
              { part: { case: "image", value: { source: { case: "url", value: "https://example.com/photo" } } } },
              { part: { case: "audio", value: { data: new Uint8Array([1, 2]), format: "wav" } } },
            ],
          },
        ],
      }),
    );
    expect(wire(body).contents).toEqual([
      {
        role: "user",
        parts: [
          { text: "what is this?" },
          { inlineData: { mimeType: "image/png", data: Buffer.from(png).toString("base64") } },
          { inlineData: { mimeType: "image/webp", data: "UklGRkY=" } },
          { inlineData: { mimeType: "image/svg+xml", data: Buffer.from("<svg/>").toString("base64") } },
          { fileData: { fileUri: "https://example.com/cat.PNG?size=2", mimeType: "image/png" } },
          { fileData: { fileUri: "https://example.com/photo", mimeType: "image/jpeg" } },
          { inlineData: { mimeType: "audio/wav", data: "AQI=" } },
        ],
      },
    ]);
  });

  it("rejects a malformed data: URL and non-text system content, naming the field", () => {
    const bad = caughtSync(() =>
      toGenerateContentRequest(req({ messages: [{ role: Role.USER, content: [text("x"), { part: { case: "image", value: { source: { case: "url", value: "data:image/png" } } } }] }] })),
    );
    expectError(bad, Code.InvalidArgument, 'messages[0].content[1].image.url: "data:image/png" is not a valid data: URL');
    const sys = caughtSync(() =>
      toGenerateContentRequest(
        req({
          messages: [
            { role: Role.SYSTEM, content: [{ part: { case: "image", value: { source: { case: "url", value: "https://x/y.png" } } } }] },
            { role: Role.USER, content: [text("x")] },
          ],
        }),
      ),
    );
    expectError(sys, Code.InvalidArgument, "messages[0].content[0]: is image; gemini takes only text in system messages");
  });
});
