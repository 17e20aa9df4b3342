// hoosh.v1 -> Anthropic Messages request bodies (basics, system, content) and
// Anthropic answers -> hoosh.v1. Tools, alternation and JSON mode: anthropic-tools.test.ts.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FinishReason, ReasoningEffort, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { toMessagesRequest } from "../../server/providers/anthropic/request.js";
import { fromUsage } from "../../server/providers/anthropic/enums.js";
import { fromMessagesResponse } from "../../server/providers/anthropic/response.js";
import type { MessagesResponse } from "../../server/providers/anthropic/wire.js";
import { assistant, caughtSync, expectError, request, system, text, user, type RequestInit } from "./anthropic-helpers.js";

const OPTS = { provider: "claude" };
const body = (init: Partial<RequestInit> = {}, opts: { defaultMaxTokens?: number } = {}, stream = false) =>
  toMessagesRequest(request(init), "claude-up", stream, { ...OPTS, ...opts }).body;
const fails = (init: Partial<RequestInit>) => caughtSync(() => toMessagesRequest(request(init), "m", false, OPTS));
const image = (source: { case: "url"; value: string } | { case: "data"; value: Uint8Array }, mimeType = "") => ({
  part: { case: "image" as const, value: { source, mimeType } },
});

describe("request basics", () => {
  it("a one-message chat: model, required max_tokens (default 4096), text blocks", () => {
    expect(body()).toEqual({ model: "claude-up", max_tokens: 4096, messages: [{ role: "user", content: [{ type: "text", text: "hello world" }] }] });
  });

  it("max_tokens: the request's, else the configured default", () => {
    expect(body({}, { defaultMaxTokens: 1024 }).max_tokens).toBe(1024);
    expect(body({ sampling: { maxTokens: 77, stop: [] } }, { defaultMaxTokens: 1024 }).max_tokens).toBe(77);
  });

  it("sampling: temperature, top_p, stop -> stop_sequences; seed and penalties are not sent", () => {
    const b = body({ sampling: { temperature: 0.3, topP: 0.9, stop: ["END", "##"], seed: 7n, presencePenalty: 1, frequencyPenalty: 1 } });
    expect(b).toMatchObject({ temperature: 0.3, top_p: 0.9, stop_sequences: ["END", "##"] });
    expect(Object.keys(b).sort()).toEqual(["max_tokens", "messages", "model", "stop_sequences", "temperature", "top_p"]);
  });

  it("temperature above Anthropic's 0..1 is InvalidArgument naming the field and the range", () => {
    expectError(fails({ sampling: { temperature: 1.5, stop: [] } }), Code.InvalidArgument, 'sampling.temperature: 1.5 is out of range for provider "claude" (anthropic); allowed: 0..1');
    expect(body({ sampling: { temperature: 1, stop: [] } }).temperature).toBe(1);
  });

  it("user -> metadata.user_id; stream -> stream:true", () => {
    expect(body({ user: "u-42" }, {}, true)).toMatchObject({ metadata: { user_id: "u-42" }, stream: true });
    expect(body()).not.toHaveProperty("stream");
  });
});

describe("system messages", () => {
  it("one system message becomes the top-level system string", () => {
    expect(body({ messages: [system("Be brief."), user("hi")] })).toMatchObject({ system: "Be brief.", messages: [{ role: "user" }] });
  });

  it("several (wherever they sit) become text blocks, in order", () => {
    const b = body({ messages: [system("A"), user("hi"), system("B"), assistant("yo"), user("again")] });
    expect(b.system).toEqual([{ type: "text", text: "A" }, { type: "text", text: "B" }]);
    expect(b.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("an image in a system message is InvalidArgument", () => {
    const err = fails({ messages: [{ role: Role.SYSTEM, content: [text("x"), image({ case: "url", value: "https://x/y.png" })] }, user("hi")] });
    expectError(err, Code.InvalidArgument, 'messages[0].content[1]: provider "claude" (anthropic) accepts only text in system messages');
  });
});

describe("content blocks", () => {
  it("images by URL, data: URL and bytes; empty text parts are dropped", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const b = body({
      messages: [
        {
          role: Role.USER,
          content: [
            text("look"),
            text(""),
            image({ case: "url", value: "https://example.com/cat.jpg" }),
            image({ case: "url", value: "data:image/PNG;base64,iVBORw0=" }),
            image({ case: "url", value: "data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E" }),
            image({ case: "data", value: png }, "image/png"),
          ],
        },
      ],
    });
    expect(b.messages[0]!.content).toEqual([
      { type: "text", text: "look" },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0=" } },
      { type: "image", source: { type: "base64", media_type: "image/svg+xml", data: Buffer.from("<svg/>").toString("base64") } },
      { type: "image", source: { type: "base64", media_type: "image/png", data: Buffer.from(png).toString("base64") } },
    ]);
  });

  it("audio input is InvalidArgument naming the part", () => {
    const audio = { part: { case: "audio" as const, value: { data: new Uint8Array([1]), format: "wav" } } };
    expectError(fails({ messages: [{ role: Role.USER, content: [text("hear"), audio] }] }), Code.InvalidArgument, 'messages[0].content[1].audio: provider "claude" (anthropic) does not accept audio input');
  });
});

describe("answers", () => {
  const answer = (extra: Partial<MessagesResponse>): MessagesResponse => ({
    id: "msg_01",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-20250514",
    content: [{ type: "text", text: "Hello" }],
    stop_reason: "end_turn",
    usage: { input_tokens: 10, output_tokens: 5 },
    ...extra,
  });

  it("text blocks join into one text part; tool_use -> tool calls with JSON arguments; thinking -> reasoning parts; unknown blocks are skipped", () => {
    const res = fromMessagesResponse(
      answer({
        content: [
          { type: "thinking", thinking: "hmm", signature: "s" },
          { type: "text", text: "Let me " },
          { type: "text", text: "check." },
          { type: "server_tool_use" },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
        ],
        stop_reason: "tool_use",
      }),
    );
    expect(res).toMatchObject({ id: "msg_01", model: "claude-sonnet-4-20250514", finishReason: FinishReason.TOOL_CALLS });
    expect(res.message?.role).toBe(Role.ASSISTANT);
    expect(res.message?.content.map((p) => p.part)).toEqual([
      { case: "reasoning", value: expect.objectContaining({ text: "hmm", signature: "s" }) },
      { case: "text", value: "Let me check." },
    ]);
    expect(res.message?.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }))).toEqual([
      { id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "toolu_2", name: "get_time", arguments: "{}" },
    ]);
  });

  it.each([
    ["end_turn", FinishReason.STOP],
    ["stop_sequence", FinishReason.STOP],
    ["max_tokens", FinishReason.LENGTH],
    ["tool_use", FinishReason.TOOL_CALLS],
    ["refusal", FinishReason.CONTENT_FILTER],
    ["pause_turn", FinishReason.UNSPECIFIED],
    ["constructor", FinishReason.UNSPECIFIED],
    [null, FinishReason.UNSPECIFIED],
  ])("stop_reason %s -> %s", (reason, finish) => {
    expect(fromMessagesResponse(answer({ stop_reason: reason })).finishReason).toBe(finish);
  });

  it("usage: input = input + cache reads + cache writes; cached = cache reads", () => {
    const u = fromUsage({ input_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 30, output_tokens: 7 });
    expect({ input: u.inputTokens, cached: u.cachedInputTokens, output: u.outputTokens }).toEqual({ input: 150, cached: 100, output: 7 });
    expect(fromUsage({ input_tokens: 3, cache_read_input_tokens: null, output_tokens: 1 }).inputTokens).toBe(3);
    expect(fromUsage(undefined).inputTokens).toBe(0);
  });

  it("the JSON-mode tool's input comes back as the text, finish STOP (prose around it is dropped)", () => {
    const res = fromMessagesResponse(
      answer({ content: [{ type: "text", text: "Sure:" }, { type: "tool_use", id: "toolu_j", name: "json_response", input: { city: "Paris" } }], stop_reason: "tool_use" }),
      "json_response",
    );
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: '{"city":"Paris"}' });
    expect(res.message?.toolCalls).toHaveLength(0);
    expect(res.finishReason).toBe(FinishReason.STOP);
  });

  it("in JSON mode a user tool call is still a tool call (TOOL_CALLS)", () => {
    const res = fromMessagesResponse(answer({ content: [{ type: "tool_use", id: "toolu_w", name: "get_weather", input: {} }], stop_reason: "tool_use" }), "json_response");
    expect(res.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(res.message?.toolCalls[0]?.name).toBe("get_weather");
  });

  it("a sparse answer still makes a message", () => {
    const res = fromMessagesResponse({});
    expect(res).toMatchObject({ id: "", model: "", finishReason: FinishReason.UNSPECIFIED });
    expect(res.message?.content).toEqual([]);
  });
});

describe("top_k and extended thinking", () => {
  it("sends top_k", () => {
    expect(body({ sampling: { topK: 40 } }).top_k).toBe(40);
  });

  it("sends thinking from a budget, or from an effort, below max_tokens", () => {
    expect(body({ sampling: { maxTokens: 8000 }, reasoning: { budgetTokens: 2000 } }).thinking).toEqual({ type: "enabled", budget_tokens: 2000 });
    expect(body({ sampling: { maxTokens: 4000 }, reasoning: { effort: ReasoningEffort.HIGH } }).thinking).toEqual({ type: "enabled", budget_tokens: 3999 });
    expect(body({ reasoning: { effort: ReasoningEffort.NONE } }).thinking).toEqual({ type: "disabled" });
    expect(body({}).thinking).toBeUndefined();
  });

  it("refuses a budget under Anthropic's 1024, and a max_tokens that leaves no room, naming the field", () => {
    const small = fails({ reasoning: { budgetTokens: 100 } });
    expect(small.code).toBe(Code.InvalidArgument);
    expect(small.rawMessage).toMatch(/^reasoning\.budget_tokens: 100 is out of range/);
    const tight = fails({ sampling: { maxTokens: 500 }, reasoning: { effort: ReasoningEffort.LOW } });
    expect(tight.code).toBe(Code.InvalidArgument);
    expect(tight.rawMessage).toMatch(/^sampling\.max_tokens: 500 leaves no room for thinking/);
  });
});

describe("prompt caching and thinking history", () => {
  const cached = (value: string, ttl = "") => ({ part: { case: "text" as const, value }, cacheBreakpoint: { ttl } });

  it("cache breakpoints become cache_control on blocks, the system prompt (then as blocks), tool results and tools", () => {
    const b = body({
      messages: [
        { role: Role.SYSTEM, content: [cached("Be brief.")] },
        { role: Role.USER, content: [cached("shared context", "1h"), text("question")] },
        { role: Role.ASSISTANT, content: [], toolCalls: [{ id: "t1", name: "get_weather", arguments: "{}" }] },
        { role: Role.TOOL, toolCallId: "t1", content: [cached("sunny")] },
      ],
      tools: [{ name: "get_weather", parameters: { type: "object" }, cacheBreakpoint: { ttl: "" } }],
    });
    expect(b.system).toEqual([{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }]);
    expect(b.messages[0]!.content).toEqual([
      { type: "text", text: "shared context", cache_control: { type: "ephemeral", ttl: "1h" } },
      { type: "text", text: "question" },
    ]);
    expect(b.messages[2]!.content[0]).toEqual({ type: "tool_result", tool_use_id: "t1", content: "sunny", cache_control: { type: "ephemeral" } });
    expect(b.tools?.[0]?.cache_control).toEqual({ type: "ephemeral" });
    // Without breakpoints the system prompt stays a string.
    expect(body({ messages: [system("Be brief."), user("hi")] }).system).toBe("Be brief.");
  });

  it("signed and redacted reasoning go back first in the assistant turn; unsigned reasoning does not", () => {
    const reasoning = (value: { text?: string; signature?: string; redacted?: string }) => ({ part: { case: "reasoning" as const, value } });
    const b = body({
      messages: [
        user("weather?"),
        {
          role: Role.ASSISTANT,
          content: [reasoning({ text: "other provider's thoughts" }), reasoning({ text: "let me check", signature: "sig_1" }), reasoning({ redacted: "enc" }), text("Checking.")],
          toolCalls: [{ id: "t1", name: "get_weather", arguments: "{}" }],
        },
        { role: Role.TOOL, toolCallId: "t1", content: [text("sunny")] },
      ],
      tools: [{ name: "get_weather", parameters: { type: "object" } }],
    });
    expect(b.messages[1]!.content).toEqual([
      { type: "thinking", thinking: "let me check", signature: "sig_1" },
      { type: "redacted_thinking", data: "enc" },
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "t1", name: "get_weather", input: {} },
    ]);
  });

  it("an answer's thinking blocks become reasoning parts before the text; cache writes are counted", () => {
    const res = fromMessagesResponse({
      content: [{ type: "thinking", thinking: "hmm", signature: "sig_2" }, { type: "redacted_thinking", data: "enc" }, { type: "text", text: "Hi" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 5, cache_creation_input_tokens: 40, output_tokens: 2 },
    } as MessagesResponse);
    expect(res.message?.content.map((p) => p.part)).toEqual([
      { case: "reasoning", value: expect.objectContaining({ text: "hmm", signature: "sig_2" }) },
      { case: "reasoning", value: expect.objectContaining({ redacted: "enc" }) },
      { case: "text", value: "Hi" },
    ]);
    expect(res.usage).toMatchObject({ inputTokens: 45, cachedInputTokens: 0, cacheWriteInputTokens: 40 });
  });
});
