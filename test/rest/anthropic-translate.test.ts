// Unit tests of the Anthropic edge's pure parts: request translation, the
// stream event state machine, response mapping and the error table.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FinishReason, Role, ToolChoice_Mode, UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { streamEvent, type StreamEventInit } from "../../server/providers/stream-event.js";
import { renderError } from "../../server/rest/anthropic/errors.js";
import { parseRequest } from "../../server/rest/anthropic/request.js";
import { toUsage } from "../../server/providers/anthropic/enums.js";
import { toolInput } from "../../server/rest/anthropic/response.js";
import { StreamTranslator } from "../../server/rest/anthropic/stream.js";
import { tooLarge, unsupportedMediaType } from "../../server/rest/edge-errors.js";

const base = { model: "m", max_tokens: 5 };
const TOOL = { name: "f", input_schema: { type: "object" } };
const ev = (event: StreamEventInit) => streamEvent(event).event;

describe("parseRequest", () => {
  it("puts tool results first, marks errors and keeps signed thinking blocks as reasoning parts", () => {
    const { chat } = parseRequest(
      {
        ...base,
        system: [{ type: "text", text: "S" }],
        messages: [
          { role: "user", content: "q" },
          { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "x" }, { type: "tool_use", id: "t1", name: "f", input: { a: 1 } }, { type: "tool_use", id: "t2", name: "f", input: {} }] },
          { role: "user", content: [{ type: "text", text: "after" }, { type: "tool_result", tool_use_id: "t2", is_error: true, content: [{ type: "text", text: "boom" }] }, { type: "tool_result", tool_use_id: "t1" }] },
        ],
      },
      { requireMaxTokens: true },
    );
    expect(chat.messages.map((m) => Role[m.role])).toEqual(["SYSTEM", "USER", "ASSISTANT", "TOOL", "TOOL", "USER"]);
    expect(chat.messages[2]!.content.map((p) => p.part)).toEqual([{ case: "reasoning", value: expect.objectContaining({ text: "hmm", signature: "x" }) }]);
    expect(chat.messages[2]!.toolCalls.map((c) => [c.id, c.arguments])).toEqual([["t1", '{"a":1}'], ["t2", "{}"]]);
    expect(chat.messages[3]).toMatchObject({ toolCallId: "t2", content: [{ part: { case: "text", value: "Error: boom" } }] });
    expect(chat.messages[4]).toMatchObject({ toolCallId: "t1", content: [{ part: { case: "text", value: "" } }] });
    expect(chat.sampling?.maxTokens).toBe(5);
  });

  it("maps tool_choice and disable_parallel_tool_use", () => {
    const choice = (tool_choice: unknown) => parseRequest({ ...base, tools: [TOOL], tool_choice, messages: [{ role: "user", content: "x" }] }, { requireMaxTokens: true }).chat;
    expect(choice({ type: "auto" }).toolChoice?.choice).toEqual({ case: "mode", value: ToolChoice_Mode.AUTO });
    expect(choice({ type: "any" }).toolChoice?.choice).toEqual({ case: "mode", value: ToolChoice_Mode.REQUIRED });
    expect(choice({ type: "none" }).toolChoice?.choice).toEqual({ case: "mode", value: ToolChoice_Mode.NONE });
    const forced = choice({ type: "tool", name: "f", disable_parallel_tool_use: true });
    expect(forced.toolChoice?.choice).toEqual({ case: "functionName", value: "f" });
    expect(forced.parallelToolCalls).toBe(false);
  });

  it("maps top_k and thinking, and leaves max_tokens out of count_tokens", () => {
    const parsed = parseRequest({ model: "m", top_k: 3, thinking: { type: "enabled", budget_tokens: 2048 }, messages: [{ role: "user", content: "x" }] }, { requireMaxTokens: false });
    expect(parsed.ignored).toEqual([]);
    expect(parsed.chat.sampling?.topK).toBe(3);
    expect(parsed.chat.reasoning?.budgetTokens).toBe(2048);
    expect(() => parseRequest({ model: "m", thinking: { type: "enabled", budget_tokens: 10 }, messages: [{ role: "user", content: "x" }] }, { requireMaxTokens: false })).toThrow(/\] thinking\.budget_tokens: /);
    expect(parsed.chat.sampling?.maxTokens).toBeUndefined();
  });
});

describe("StreamTranslator", () => {
  it("opens and closes one block per kind, in order, and ends with message_delta and message_stop", () => {
    const t = new StreamTranslator("req-model");
    const out = [
      ev({ case: "start", value: { id: "x", model: "up-model", provider: "p" } }),
      ev({ case: "text", value: { text: "Hi" } }),
      ev({ case: "reasoning", value: { text: "hidden" } }),
      ev({ case: "text", value: { text: "" } }),
      ev({ case: "toolCall", value: { index: 0, id: "call_1", name: "f", argumentsDelta: '{"a"' } }),
      ev({ case: "toolCall", value: { index: 0, id: "", name: "", argumentsDelta: ":1}" } }),
      ev({ case: "toolCall", value: { index: 1, id: "call_2", name: "g", argumentsDelta: "" } }),
      ev({ case: "end", value: { finishReason: FinishReason.TOOL_CALLS, usage: { inputTokens: 10, cachedInputTokens: 4, outputTokens: 7 } } }),
    ].flatMap((e) => t.translate(e));
    expect(out.map((e) => (e.type === "content_block_delta" ? `${e.type}:${e.index}:${e.delta.type}` : "index" in e ? `${e.type}:${e.index}` : e.type))).toEqual([
      "message_start",
      "ping",
      "content_block_start:0",
      "content_block_delta:0:text_delta",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1:thinking_delta",
      "content_block_stop:1",
      "content_block_start:2",
      "content_block_delta:2:input_json_delta",
      "content_block_delta:2:input_json_delta",
      "content_block_stop:2",
      "content_block_start:3",
      "content_block_stop:3",
      "message_delta",
      "message_stop",
    ]);
    expect(out[0]).toMatchObject({ message: { model: "up-model", content: [], stop_reason: null } });
    // Reasoning is a thinking block (unsigned: this provider gave no signature).
    expect(out[5]).toEqual({ type: "content_block_start", index: 1, content_block: { type: "thinking", thinking: "", signature: "" } });
    expect(out[8]).toEqual({ type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "call_1", name: "f", input: {} } });
    expect(out[14]).toEqual({
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { output_tokens: 7, input_tokens: 6, cache_read_input_tokens: 4, cache_creation_input_tokens: 0 },
    });
  });

  it("starts the message even when the first core event is not a start", () => {
    const t = new StreamTranslator("req-model");
    const out = t.translate(ev({ case: "end", value: { finishReason: FinishReason.LENGTH } }));
    expect(out.map((e) => e.type)).toEqual(["message_start", "ping", "message_delta", "message_stop"]);
    expect(out[0]).toMatchObject({ message: { model: "req-model" } });
    expect(out[2]).toMatchObject({ delta: { stop_reason: "max_tokens" } });
  });
});

describe("response mapping", () => {
  it("keeps arguments that are not a JSON object", () => {
    expect(toolInput('{"a":1}')).toEqual({ a: 1 });
    expect(toolInput("")).toEqual({});
    expect(toolInput("[1]")).toEqual({ _unparsed_arguments: "[1]" });
    expect(toolInput("{oops")).toEqual({ _unparsed_arguments: "{oops" });
  });

  it("counts cache reads and writes apart from input_tokens", () => {
    expect(toUsage(create(UsageSchema, { inputTokens: 100, cachedInputTokens: 30, outputTokens: 5 }))).toEqual({
      input_tokens: 70,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 30,
    });
    expect(toUsage(create(UsageSchema, { inputTokens: 100, cachedInputTokens: 30, cacheWriteInputTokens: 50, outputTokens: 5 }))).toMatchObject({
      input_tokens: 20,
      cache_creation_input_tokens: 50,
    });
  });
});

describe("error mapping", () => {
  it.each([
    [Code.InvalidArgument, 400, "invalid_request_error"],
    [Code.Unauthenticated, 401, "authentication_error"],
    [Code.PermissionDenied, 403, "permission_error"],
    [Code.NotFound, 404, "not_found_error"],
    [Code.ResourceExhausted, 429, "rate_limit_error"],
    [Code.Unavailable, 529, "overloaded_error"],
    [Code.DeadlineExceeded, 504, "timeout_error"],
    [Code.Canceled, 499, "api_error"],
    [Code.Internal, 500, "api_error"],
  ])("%s → %i %s", (code, status, type) => {
    const e = renderError(new ConnectError("boom", code));
    expect(e.status).toBe(status);
    expect(e.body).toEqual({ type: "error", error: { type, message: "boom" } });
  });

  it("gives rate limits a retry-after and edge errors their Anthropic type", () => {
    const meta = new Headers({ "retry-after": "7" });
    expect(renderError(new ConnectError("slow down", Code.ResourceExhausted, meta)).headers).toEqual({ "retry-after": "7" });
    expect(renderError(new ConnectError("slow down", Code.ResourceExhausted)).headers).toEqual({});
    expect(renderError(tooLarge(10)).body.error?.type).toBe("request_too_large");
    expect(renderError(unsupportedMediaType("text/plain", "json please")).body.error?.type).toBe("invalid_request_error");
  });
});
