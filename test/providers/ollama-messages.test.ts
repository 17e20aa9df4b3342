// hoosh.v1 messages -> Ollama chat messages: roles, text, images, tool calls and tool results.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { toChatRequest } from "../../server/providers/ollama/request.js";
import { caughtSync, expectError } from "../unit/helpers.js";

type ChatInit = Extract<MessageInitShape<typeof GenerateRequestSchema>, { $typeName?: undefined }>;
const text = (value: string) => ({ part: { case: "text" as const, value } });
const imageUrl = (value: string) => ({ part: { case: "image" as const, value: { source: { case: "url" as const, value } } } });
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]);

function req(init: ChatInit = {}) {
  return create(GenerateRequestSchema, { model: "llama3.2", messages: [{ role: Role.USER, content: [text("hi")] }], ...init });
}

/** What actually goes on the wire (undefined fields dropped). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe("toChatRequest: messages", () => {
  it("maps roles, tool calls (arguments as objects) and tool results named after their call", () => {
    const body = toChatRequest(
      req({
        messages: [
          { role: Role.SYSTEM, content: [text("be brief")] },
          { role: Role.USER, name: "alice", content: [text("weather in Paris and the time?")] },
          {
            role: Role.ASSISTANT,
            toolCalls: [
              { id: "call_0", name: "get_weather", arguments: '{"city":"Paris","days":[1,2]}' },
              { id: "call_1", name: "get_time", arguments: "" },
            ],
          },
          { role: Role.TOOL, toolCallId: "call_1", content: [text("12:00")] },
          { role: Role.TOOL, toolCallId: "call_0", content: [text('{"temp":21}')] },
          { role: Role.TOOL, toolCallId: "call_unknown", content: [text("?")] },
          { role: Role.ASSISTANT, content: [text("21 degrees at noon")] },
        ],
      }),
      "llama3.2:latest",
      false,
    );
    expect(wire(body)).toEqual({
      model: "llama3.2:latest",
      stream: false,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "weather in Paris and the time?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { function: { name: "get_weather", arguments: { city: "Paris", days: [1, 2] } } },
            { function: { name: "get_time", arguments: {} } },
          ],
        },
        { role: "tool", content: "12:00", tool_name: "get_time" },
        { role: "tool", content: '{"temp":21}', tool_name: "get_weather" },
        { role: "tool", content: "?" },
        { role: "assistant", content: "21 degrees at noon" },
      ],
    });
  });

  it("a reused call id names the latest earlier call (Ollama ids restart at call_0 every answer)", () => {
    const body = toChatRequest(
      req({
        messages: [
          { role: Role.USER, content: [text("a")] },
          { role: Role.ASSISTANT, toolCalls: [{ id: "call_0", name: "first", arguments: "{}" }] },
          { role: Role.TOOL, toolCallId: "call_0", content: [text("1")] },
          { role: Role.ASSISTANT, toolCalls: [{ id: "call_0", name: "second", arguments: "{}" }] },
          { role: Role.TOOL, toolCallId: "call_0", content: [text("2")] },
        ],
      }),
      "m",
      true,
    );
    expect(body.messages.map((m) => m.tool_name)).toEqual([undefined, undefined, "first", undefined, "second"]);
    expect(body.stream).toBe(true);
  });

  it("text parts join with newlines; image bytes and data: URLs become bare base64", () => {
    const base64 = Buffer.from(PNG).toString("base64");
    const body = toChatRequest(
      req({
        messages: [
          {
            role: Role.USER,
            content: [
              text("what is"),
              { part: { case: "image", value: { source: { case: "data", value: PNG }, mimeType: "image/png" } } },
              text("in these?"),
              imageUrl(`data:image/png;base64,${base64}`),
              imageUrl(`data:image/png,${encodeURIComponent(Buffer.from(PNG).toString("latin1"))}`),
            ],
          },
        ],
      }),
      "llava:7b",
      false,
    );
    expect(body.messages[0]).toEqual({ role: "user", content: "what is\nin these?", images: [base64, base64, base64] });
  });

  it("an http(s) image URL → InvalidArgument naming the field (Ollama takes inline images only)", () => {
    const err = caughtSync(() =>
      toChatRequest(req({ messages: [{ role: Role.USER, content: [text("hi")] }, { role: Role.USER, content: [text("look"), imageUrl("https://example.com/cat.png")] }] }), "m", false),
    );
    expectError(err, Code.InvalidArgument, 'messages[1].content[1].image.url: "https://example.com/cat.png" is not allowed: ollama accepts inline images only');
  });

  it("an empty data: URL or audio input → InvalidArgument naming the field", () => {
    expectError(caughtSync(() => toChatRequest(req({ messages: [{ role: Role.USER, content: [imageUrl("data:image/png;base64,")] }] }), "m", false)), Code.InvalidArgument, "messages[0].content[0].image.url: is a data: URL with no image bytes");
    expectError(caughtSync(() => toChatRequest(req({ messages: [{ role: Role.USER, content: [imageUrl("data:image/png;base64")] }] }), "m", false)), Code.InvalidArgument, "messages[0].content[0].image.url: ");
    const audio = { part: { case: "audio" as const, value: { data: new Uint8Array([1]), format: "wav" } } };
    expectError(caughtSync(() => toChatRequest(req({ messages: [{ role: Role.USER, content: [text("x"), audio] }] }), "m", false)), Code.InvalidArgument, "messages[0].content[1].audio: is not allowed: ollama does not accept audio input");
  });

  it.each([
    ['{"city":', "is not valid JSON"],
    ["[1,2]", "is not a JSON object"],
    ['"Paris"', "is not a JSON object"],
    ["null", "is not a JSON object"],
  ])("tool call arguments %s → InvalidArgument naming the field", (args, why) => {
    const err = caughtSync(() =>
      toChatRequest(req({ messages: [{ role: Role.USER, content: [text("x")] }, { role: Role.ASSISTANT, toolCalls: [{ id: "c", name: "f", arguments: "{}" }, { id: "d", name: "g", arguments: args }] }] }), "m", false),
    );
    expectError(err, Code.InvalidArgument, `messages[1].tool_calls[1].arguments: ${JSON.stringify(args)} ${why}`);
  });
});
