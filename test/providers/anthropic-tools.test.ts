// hoosh.v1 -> Anthropic: tool calls and results, turn alternation, tools,
// tool_choice and JSON response formats through a forced tool.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ResponseFormat_Type, Role, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { toMessagesRequest } from "../../server/providers/anthropic/request.js";
import { assistant, caughtSync, expectError, request, text, TIME_TOOL, toolResult, user, WEATHER_TOOL, type RequestInit } from "./anthropic-helpers.js";

const OPTS = { provider: "claude" };
const body = (init: Partial<RequestInit> = {}, opts: { defaultMaxTokens?: number } = {}, stream = false) =>
  toMessagesRequest(request(init), "claude-up", stream, { ...OPTS, ...opts }).body;
const plan = (init: Partial<RequestInit>) => toMessagesRequest(request(init), "claude-up", false, OPTS);
const fails = (init: Partial<RequestInit>) => caughtSync(() => toMessagesRequest(request(init), "m", false, OPTS));
const call = (id: string, name: string, args: string) => ({ id, name, arguments: args });
const image = (source: { case: "url"; value: string } | { case: "data"; value: Uint8Array }, mimeType = "") => ({
  part: { case: "image" as const, value: { source, mimeType } },
});

describe("tool calls, tool results and turn alternation", () => {
  const history = (extra: RequestInit["messages"] = []) => [
    user("weather and time?"),
    { role: Role.ASSISTANT, content: [text("Checking.")], toolCalls: [call("toolu_a", "get_weather", '{"city":"Paris"}'), call("toolu_b", "get_time", "")] },
    toolResult("toolu_a", "sunny"),
    toolResult("toolu_b", "noon"),
    ...extra,
  ];

  it("assistant tool_calls -> tool_use blocks with parsed input ('' -> {}); consecutive tool results -> one user turn", () => {
    expect(body({ messages: history(), tools: [WEATHER_TOOL, TIME_TOOL] }).messages).toEqual([
      { role: "user", content: [{ type: "text", text: "weather and time?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_a", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_b", name: "get_time", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_a", content: "sunny" },
          { type: "tool_result", tool_use_id: "toolu_b", content: "noon" },
        ],
      },
    ]);
  });

  it("a user message after tool results joins their turn, after the results", () => {
    const turns = body({ messages: history([user("thanks")]) }).messages;
    expect(turns).toHaveLength(3);
    expect(turns[2]!.content.map((b) => b.type)).toEqual(["tool_result", "tool_result", "text"]);
  });

  it("a user message BEFORE tool results still yields results first", () => {
    const messages = [user("q"), { role: Role.ASSISTANT, content: [], toolCalls: [call("t1", "f", "{}")] }, user("by the way"), toolResult("t1", "ok")];
    expect(body({ messages }).messages[2]!.content.map((b) => b.type)).toEqual(["tool_result", "text"]);
  });

  it("consecutive same-role messages merge; a message with only empty text is dropped", () => {
    const turns = body({ messages: [user("a"), user("b"), assistant("c"), assistant(""), assistant("d"), user("e")] }).messages;
    expect(turns).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      { role: "assistant", content: [{ type: "text", text: "c" }, { type: "text", text: "d" }] },
      { role: "user", content: [{ type: "text", text: "e" }] },
    ]);
  });

  it("a tool result with an image keeps blocks", () => {
    const messages = [user("q"), { role: Role.ASSISTANT, content: [], toolCalls: [call("t1", "shot", "{}")] }, { role: Role.TOOL, toolCallId: "t1", content: [text("here"), image({ case: "url", value: "https://x/s.png" })] }];
    expect(body({ messages }).messages[2]!.content[0]).toEqual({
      type: "tool_result",
      tool_use_id: "t1",
      content: [{ type: "text", text: "here" }, { type: "image", source: { type: "url", url: "https://x/s.png" } }],
    });
  });

  it("invalid or non-object tool-call arguments are InvalidArgument naming messages[i].tool_calls[j].arguments", () => {
    const bad = (args: string) => [user("q"), { role: Role.ASSISTANT, content: [], toolCalls: [call("t0", "f", "{}"), call("t1", "f", args)] }];
    expectError(fails({ messages: bad('{"city":') }), Code.InvalidArgument, 'messages[1].tool_calls[1].arguments: "{\\"city\\":" is not valid JSON');
    expectError(fails({ messages: bad("[1,2]") }), Code.InvalidArgument, "messages[1].tool_calls[1].arguments: must be a JSON object");
  });
});

describe("tools and tool_choice", () => {
  it("tools -> name, description, input_schema (an empty object schema when none is given); no tool_choice by default", () => {
    const b = body({ tools: [WEATHER_TOOL, { name: "ping" }] });
    expect(b.tools).toEqual([
      { name: "get_weather", description: "Weather for a city", input_schema: WEATHER_TOOL.parameters },
      { name: "ping", input_schema: { type: "object", properties: {} } },
    ]);
    expect(b).not.toHaveProperty("tool_choice");
  });

  it.each([
    [{ choice: { case: "mode" as const, value: ToolChoice_Mode.AUTO } }, { type: "auto" }],
    [{ choice: { case: "mode" as const, value: ToolChoice_Mode.NONE } }, { type: "none" }],
    [{ choice: { case: "mode" as const, value: ToolChoice_Mode.REQUIRED } }, { type: "any" }],
    [{ choice: { case: "functionName" as const, value: "get_weather" } }, { type: "tool", name: "get_weather" }],
  ])("tool_choice %j -> %j", (toolChoice, expected) => {
    expect(body({ tools: [WEATHER_TOOL], toolChoice }).tool_choice).toEqual(expected);
  });

  it("parallel_tool_calls=false -> disable_parallel_tool_use (auto when no choice is given)", () => {
    expect(body({ tools: [WEATHER_TOOL], parallelToolCalls: false }).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    const required = { choice: { case: "mode" as const, value: ToolChoice_Mode.REQUIRED } };
    expect(body({ tools: [WEATHER_TOOL], toolChoice: required, parallelToolCalls: false }).tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(body({ tools: [WEATHER_TOOL], parallelToolCalls: true })).not.toHaveProperty("tool_choice");
  });

  it("no tools: neither tools nor tool_choice are sent", () => {
    const b = body({ toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.AUTO } }, parallelToolCalls: false });
    expect(b).not.toHaveProperty("tools");
    expect(b).not.toHaveProperty("tool_choice");
  });
});

describe("JSON response formats via a forced tool", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
  const jsonSchema = { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: "place", jsonSchema: schema };

  it("JSON_SCHEMA: a json_response tool with the schema, forced", () => {
    const p = plan({ responseFormat: jsonSchema });
    expect(p.jsonTool).toBe("json_response");
    expect(p.body.tools).toEqual([{ name: "json_response", description: expect.stringContaining('(schema "place")'), input_schema: schema }]);
    expect(p.body.tool_choice).toEqual({ type: "tool", name: "json_response", disable_parallel_tool_use: true });
  });

  it("JSON_OBJECT: the same tool with an any-object schema", () => {
    const p = plan({ responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } });
    expect(p.body.tools).toEqual([{ name: "json_response", description: expect.stringContaining("JSON object"), input_schema: { type: "object" } }]);
    expect(p.body.tool_choice).toMatchObject({ type: "tool", name: "json_response" });
  });

  it("TEXT and unspecified formats add nothing", () => {
    expect(plan({ responseFormat: { type: ResponseFormat_Type.TEXT } })).toEqual({ body: body() });
  });

  it("with user tools: any (a user tool or the JSON answer); a forced function stays forced; NONE forces the JSON tool", () => {
    expect(plan({ responseFormat: jsonSchema, tools: [WEATHER_TOOL] }).body).toMatchObject({ tools: [{ name: "get_weather" }, { name: "json_response" }], tool_choice: { type: "any" } });
    const forced = plan({ responseFormat: jsonSchema, tools: [WEATHER_TOOL], toolChoice: { choice: { case: "functionName", value: "get_weather" } } });
    expect(forced.body.tool_choice).toEqual({ type: "tool", name: "get_weather" });
    const none = plan({ responseFormat: jsonSchema, tools: [WEATHER_TOOL], toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.NONE } } });
    expect(none.body.tool_choice).toMatchObject({ type: "tool", name: "json_response" });
  });

  it("a user tool already named json_response pushes the helper to json_response_1", () => {
    const p = plan({ responseFormat: jsonSchema, tools: [{ name: "json_response" }] });
    expect(p.jsonTool).toBe("json_response_1");
    expect(p.body.tools?.map((t) => t.name)).toEqual(["json_response", "json_response_1"]);
  });
});
