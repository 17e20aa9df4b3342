// Anthropic SSE transcripts -> hoosh.v1 stream events: every byte split, tool
// indices, JSON mode, usage, error events and cut-off streams.
import { Code } from "@connectrpc/connect";
import type { EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { FinishReason } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { messagesStreamEvents } from "../../server/providers/anthropic/stream.js";
import { readSse } from "../../server/providers/sse.js";
import { caught, cases, collect, expectError, summarize } from "./anthropic-helpers.js";

type Json = Record<string, unknown>;
const frame = (data: Json & { type: string }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const START = { type: "message_start", message: { id: "msg_01abc", type: "message", role: "assistant", model: "claude-sonnet-4-20250514", content: [], stop_reason: null, usage: { input_tokens: 12, cache_read_input_tokens: 30, cache_creation_input_tokens: 0, output_tokens: 1 } } };
const blockStart = (index: number, content_block: Json) => ({ type: "content_block_start", index, content_block });
const delta = (index: number, d: Json) => ({ type: "content_block_delta", index, delta: d });
const textDelta = (index: number, t: string) => delta(index, { type: "text_delta", text: t });
const jsonDelta = (index: number, partial_json: string) => delta(index, { type: "input_json_delta", partial_json });
const stop = (index: number) => ({ type: "content_block_stop", index });
const messageDelta = (stop_reason: string, usage: Json = { output_tokens: 42 }) => ({ type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage });
const END = { type: "message_stop" };

/** Thinking, text with multi-byte characters, two tool calls (the second without arguments), ping and an unknown event. */
const EVENTS = [
  START,
  blockStart(0, { type: "thinking", thinking: "" }),
  { type: "ping" },
  delta(0, { type: "thinking_delta", thinking: "Let me think" }),
  delta(0, { type: "signature_delta", signature: "EqQBCgIYAh" }),
  stop(0),
  blockStart(1, { type: "text", text: "" }),
  textDelta(1, "Héllo 🌍"),
  textDelta(1, ", checking."),
  stop(1),
  blockStart(2, { type: "tool_use", id: "toolu_01A", name: "get_weather", input: {} }),
  jsonDelta(2, ""),
  jsonDelta(2, '{"city": "Pa'),
  jsonDelta(2, 'ris"}'),
  stop(2),
  { type: "future_event_type", detail: 1 },
  blockStart(3, { type: "tool_use", id: "toolu_01B", name: "get_time", input: {} }),
  stop(3),
  messageDelta("tool_use"),
  END,
];
const TRANSCRIPT = EVENTS.map(frame).join("").replace("event: ping\n", ": keep-alive comment\nevent: ping\r\n");

async function* bytes(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}
async function* messages(events: (Json | string)[]): AsyncGenerator<EventSourceMessage> {
  for (const e of events) yield typeof e === "string" ? { data: e } : { event: String(e.type), data: JSON.stringify(e) };
}
const run = (events: (Json | string)[], jsonTool?: string) => collect(messagesStreamEvents("claude", messages(events), jsonTool));

function expectTranscript(events: GenerateStreamResponse[]): void {
  expect(cases(events)).toEqual(["start", "reasoning", "reasoning", "text", "text", "toolCall", "toolCall", "toolCall", "toolCall", "toolCall", "end"]);
  // The thinking block's signature follows its text, so the caller can hand the block back.
  expect(events[2]!.event.value).toMatchObject({ text: "", signature: "EqQBCgIYAh" });
  expect(events[0]!.event.value).toMatchObject({ id: "msg_01abc", model: "claude-sonnet-4-20250514" });
  const s = summarize(events);
  expect(s.reasoning).toBe("Let me think");
  expect(s.text).toBe("Héllo 🌍, checking.");
  // Indices count tool_use blocks only (content blocks 2 and 3 are tool calls 0 and 1).
  expect([...s.calls.entries()]).toEqual([
    [0, { id: "toolu_01A", name: "get_weather", arguments: '{"city": "Paris"}' }],
    [1, { id: "toolu_01B", name: "get_time", arguments: "{}" }],
  ]);
  expect(s.end?.finishReason).toBe(FinishReason.TOOL_CALLS);
  expect(s.end?.usage).toMatchObject({ inputTokens: 42, cachedInputTokens: 30, outputTokens: 42 });
}

describe("a full transcript over SSE bytes", () => {
  const all = new TextEncoder().encode(TRANSCRIPT);
  const parse = (chunks: Uint8Array[]) => collect(messagesStreamEvents("claude", readSse(bytes(chunks))));

  it("in one chunk", async () => {
    expectTranscript(await parse([all]));
  });

  it("split in two at every byte position", async () => {
    for (let i = 1; i < all.length; i++) expectTranscript(await parse([all.subarray(0, i), all.subarray(i)]));
  });

  it("one byte at a time (multi-byte UTF-8 split too)", async () => {
    expectTranscript(await parse(Array.from(all, (b) => new Uint8Array([b]))));
  });
});

describe("events", () => {
  it("the first tool call after text has index 0 and carries id and name on its first delta", async () => {
    const events = await run([START, blockStart(0, { type: "text", text: "" }), textDelta(0, "I'll call it."), stop(0), blockStart(1, { type: "tool_use", id: "toolu_X", name: "f", input: {} }), jsonDelta(1, '{"a":1}'), stop(1), messageDelta("tool_use"), END]);
    const calls = events.filter((e) => e.event.case === "toolCall").map((e) => e.event.value);
    expect(calls).toEqual([expect.objectContaining({ index: 0, id: "toolu_X", name: "f", argumentsDelta: "" }), expect.objectContaining({ index: 0, id: "", name: "", argumentsDelta: '{"a":1}' })]);
  });

  it("text already present in content_block_start is relayed", async () => {
    const s = summarize(await run([START, blockStart(0, { type: "text", text: "Hi" }), textDelta(0, "!"), stop(0), messageDelta("end_turn"), END]));
    expect(s.text).toBe("Hi!");
    expect(s.end?.finishReason).toBe(FinishReason.STOP);
  });

  it("the JSON-mode tool streams as text and finishes STOP", async () => {
    const events = await run([START, blockStart(0, { type: "tool_use", id: "toolu_J", name: "json_response", input: {} }), jsonDelta(0, ""), jsonDelta(0, '{"city":'), jsonDelta(0, '"Paris"}'), stop(0), messageDelta("tool_use"), END], "json_response");
    expect(cases(events)).toEqual(["start", "text", "text", "end"]);
    const s = summarize(events);
    expect(JSON.parse(s.text)).toEqual({ city: "Paris" });
    expect(s.end?.finishReason).toBe(FinishReason.STOP);
  });

  it("a JSON-mode tool with no streamed input yields {}", async () => {
    const s = summarize(await run([START, blockStart(0, { type: "tool_use", id: "t", name: "json_response", input: {} }), stop(0), messageDelta("tool_use"), END], "json_response"));
    expect(s.text).toBe("{}");
  });

  it("message_delta usage is cumulative and may restate the input counts", async () => {
    const s = summarize(await run([START, messageDelta("max_tokens", { input_tokens: 15, cache_read_input_tokens: 30, output_tokens: 9 }), END]));
    expect(s.end?.usage).toMatchObject({ inputTokens: 45, cachedInputTokens: 30, outputTokens: 9 });
    expect(s.end?.finishReason).toBe(FinishReason.LENGTH);
  });

  it("refusal -> CONTENT_FILTER", async () => {
    expect(summarize(await run([START, messageDelta("refusal"), END])).end?.finishReason).toBe(FinishReason.CONTENT_FILTER);
  });

  it("stops reading at message_stop", async () => {
    expect(cases(await run([START, messageDelta("end_turn"), END, "not json"]))).toEqual(["start", "end"]);
  });
});

describe("failures", () => {
  it.each([
    ["overloaded_error", Code.Unavailable],
    ["api_error", Code.Unavailable],
    ["rate_limit_error", Code.ResourceExhausted],
    ["invalid_request_error", Code.InvalidArgument],
    ["authentication_error", Code.Unauthenticated],
    ["timeout_error", Code.DeadlineExceeded],
    ["brand_new_error", Code.Unavailable],
  ])("an error event (%s) mid-stream -> %s, after the earlier events", async (type, code) => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      const events = [START, blockStart(0, { type: "text", text: "" }), textDelta(0, "a"), { type: "error", error: { type, message: "Overloaded" } }, END];
      for await (const e of messagesStreamEvents("claude", messages(events))) seen.push(e);
    });
    expectError(err, code, `provider "claude" failed mid-stream: Overloaded (type=${type})`);
    expect(cases(seen)).toEqual(["start", "text"]);
  });

  it("an error event first: nothing is yielded (the core may still fall back)", async () => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of messagesStreamEvents("claude", messages([{ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }]))) seen.push(e);
    });
    expect(Code[err.code]).toBe(Code[Code.Unavailable]);
    expect(seen).toEqual([]);
  });

  it("a stream that ends without message_stop -> Unavailable (even after message_delta)", async () => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of messagesStreamEvents("claude", messages([START, blockStart(0, { type: "text", text: "" }), textDelta(0, "a"), messageDelta("end_turn")]))) seen.push(e);
    });
    expectError(err, Code.Unavailable, 'provider "claude" ended the stream before message_stop');
    expect(cases(seen)).toEqual(["start", "text"]);
    expectError(await caught(() => run([])), Code.Unavailable, 'provider "claude" ended the stream');
  });

  it("a data line that is not JSON -> Internal naming it", async () => {
    expectError(await caught(() => run([START, '{"type":"content_block_start",'])), Code.Internal, 'provider "claude" sent a stream event that is not JSON: {"type":"content_block_start",');
  });
});
