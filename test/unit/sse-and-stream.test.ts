// readSse over arbitrarily split bytes, and OpenAI chunks -> hoosh.v1 stream events.
import { Code } from "@connectrpc/connect";
import type { EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { FinishReason } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { chatStreamEvents } from "../../server/providers/openai/stream.js";
import { readSse } from "../../server/providers/sse.js";
import { caught, expectError } from "./helpers.js";

const base = { id: "chatcmpl-abc", object: "chat.completion.chunk", created: 1_700_000_000, model: "gpt-4o-mini", system_fingerprint: "fp_1" };
const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null, ...extra });

const FIRST = chunk({ role: "assistant", content: "", refusal: null });
const HELLO = chunk({ content: "Héllo 🌍" });
const WORLD = chunk({ content: " world" });
const FINISH = chunk({}, "stop");
/** Split point of WORLD between two JSON tokens, so the "\n" joining the data lines is whitespace. */
const CUT = WORLD.indexOf('"choices"');
const USAGE = JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } });

/** A realistic transcript: CRLF and LF line endings, comments, a multi-line data field, event/id fields. */
const TRANSCRIPT =
  ": OPENROUTER PROCESSING\r\n\r\n" +
  `data: ${FIRST}\r\n\r\n` +
  `data: ${HELLO}\n\n` +
  ": keep-alive\n" +
  // One JSON document split over two data lines (joined with "\n", still valid JSON).
  `data: ${WORLD.slice(0, CUT)}\r\ndata: ${WORLD.slice(CUT)}\r\n\r\n` +
  `event: message\nid: 7\ndata: ${FINISH}\n\n` +
  `data: ${USAGE}\n\n` +
  "data: [DONE]\n\n";

const EXPECTED_DATA = [FIRST, HELLO, `${WORLD.slice(0, CUT)}\n${WORLD.slice(CUT)}`, FINISH, USAGE, "[DONE]"];

async function* bytes(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* messages(data: string[]): AsyncGenerator<EventSourceMessage> {
  for (const d of data) yield { data: d };
}

describe("readSse", () => {
  const all = new TextEncoder().encode(TRANSCRIPT);

  it("parses the whole transcript in one chunk", async () => {
    const events = await collect(readSse(bytes([all])));
    expect(events.map((e) => e.data)).toEqual(EXPECTED_DATA);
    expect(events[3]).toMatchObject({ event: "message", id: "7" });
    expect(JSON.parse(events[2]!.data)).toMatchObject({ choices: [{ delta: { content: " world" } }] });
    expect(JSON.parse(events[1]!.data).choices[0].delta.content).toBe("Héllo 🌍");
  });

  it("gives the same events for a split at every byte position", async () => {
    for (let i = 1; i < all.length; i++) {
      const events = await collect(readSse(bytes([all.subarray(0, i), all.subarray(i)])));
      expect(events.map((e) => e.data), `split at byte ${i}`).toEqual(EXPECTED_DATA);
    }
  });

  it("gives the same events one byte at a time (multi-byte UTF-8 split too)", async () => {
    const oneByOne = Array.from(all, (b) => new Uint8Array([b]));
    const events = await collect(readSse(bytes(oneByOne)));
    expect(events.map((e) => e.data)).toEqual(EXPECTED_DATA);
  });

  it("drops an unterminated last event at EOF (per the SSE spec)", async () => {
    const events = await collect(readSse(bytes([new TextEncoder().encode(`data: ${FIRST}\n\ndata: [DONE]`)])));
    expect(events.map((e) => e.data)).toEqual([FIRST]);
  });

  it("yields events before the body ends (streams, does not buffer)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(`data: ${FIRST}\n\n`);
      await gate;
      yield new TextEncoder().encode("data: [DONE]\n\n");
    }
    const it = readSse(slow());
    const first = await it.next();
    expect(first.value?.data).toBe(FIRST);
    release();
    expect((await it.next()).value?.data).toBe("[DONE]");
    expect((await it.next()).done).toBe(true);
  });
});

function summary(events: GenerateStreamResponse[]) {
  return events.map((e) => e.event.case);
}

describe("chatStreamEvents", () => {
  it("turns the transcript into start, text deltas and end with usage", async () => {
    const all = new TextEncoder().encode(TRANSCRIPT);
    const events = await collect(chatStreamEvents("openai", readSse(bytes([all]))));
    expect(summary(events)).toEqual(["start", "text", "text", "end"]);
    const [start, t1, t2, end] = events.map((e) => e.event);
    expect(start).toMatchObject({ case: "start", value: { id: "chatcmpl-abc", model: "gpt-4o-mini" } });
    expect(t1?.value).toMatchObject({ text: "Héllo 🌍" });
    expect(t2?.value).toMatchObject({ text: " world" });
    expect(end?.case).toBe("end");
    if (end?.case !== "end") return;
    expect(end.value.finishReason).toBe(FinishReason.STOP);
    expect(end.value.usage).toMatchObject({ inputTokens: 9, outputTokens: 3 });
  });

  it("yields reasoning, text and tool-call deltas and maps cached/reasoning/audio usage", async () => {
    const data = [
      chunk({ role: "assistant", reasoning_content: "thinking" }),
      chunk({ reasoning_content: " more", content: "Answer" }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "get_time", arguments: "{" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }, { index: 1, function: { arguments: "}" } }] }),
      chunk({}, "tool_calls"),
      JSON.stringify({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 100,
          completion_tokens: 40,
          total_tokens: 140,
          prompt_tokens_details: { cached_tokens: 64, audio_tokens: 2 },
          completion_tokens_details: { reasoning_tokens: 30, audio_tokens: 3 },
        },
      }),
      "[DONE]",
    ];
    const events = await collect(chatStreamEvents("openai", messages(data)));
    expect(summary(events)).toEqual(["start", "reasoning", "reasoning", "text", "toolCall", "toolCall", "toolCall", "toolCall", "end"]);
    expect(events[1]!.event.value).toMatchObject({ text: "thinking" });
    expect(events[2]!.event.value).toMatchObject({ text: " more" });
    expect(events[4]!.event.value).toMatchObject({ index: 0, id: "call_a", name: "get_weather", argumentsDelta: "" });
    expect(events[5]!.event.value).toMatchObject({ index: 1, id: "call_b", name: "get_time", argumentsDelta: "{" });
    expect(events[6]!.event.value).toMatchObject({ index: 0, id: "", name: "", argumentsDelta: '{"city":"Paris"}' });
    expect(events[7]!.event.value).toMatchObject({ index: 1, argumentsDelta: "}" });
    const end = events[8]!.event;
    if (end.case !== "end") throw new Error("no end");
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(end.value.usage).toMatchObject({ inputTokens: 100, cachedInputTokens: 64, outputTokens: 40, reasoningTokens: 30, audioTokens: 5 });
  });

  it("[DONE] alone still yields start and end", async () => {
    const events = await collect(chatStreamEvents("openai", messages(["[DONE]"])));
    expect(summary(events)).toEqual(["start", "end"]);
    expect(events[1]!.event.value).toMatchObject({ finishReason: FinishReason.UNSPECIFIED, usage: { inputTokens: 0 } });
  });

  it("a finish_reason without [DONE] is a complete stream", async () => {
    const events = await collect(chatStreamEvents("openai", messages([chunk({ content: "x" }), chunk({}, "length")])));
    expect(summary(events)).toEqual(["start", "text", "end"]);
    expect(events[2]!.event.value).toMatchObject({ finishReason: FinishReason.LENGTH });
  });

  it("stops reading at [DONE]", async () => {
    const events = await collect(chatStreamEvents("openai", messages([chunk({ content: "x" }, "stop"), "[DONE]", "not json"])));
    expect(summary(events)).toEqual(["start", "text", "end"]);
  });

  it("an error event after the first chunk → Unavailable, after the earlier events were yielded", async () => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      const error = JSON.stringify({ error: { message: "The server had an error", type: "server_error", param: null, code: null } });
      for await (const e of chatStreamEvents("openai", messages([FIRST, HELLO, error, FINISH, "[DONE]"]))) seen.push(e);
    });
    expectError(err, Code.Unavailable, 'provider "openai" failed mid-stream: The server had an error');
    expect(summary(seen)).toEqual(["start", "text"]);
  });

  it("a stream that ends without [DONE] and without finish_reason → Unavailable", async () => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of chatStreamEvents("openai", messages([FIRST, HELLO]))) seen.push(e);
    });
    expectError(err, Code.Unavailable, 'provider "openai" ended the stream before it finished');
    expect(summary(seen)).toEqual(["start", "text"]);
    // An empty body too.
    expectError(await caught(() => collect(chatStreamEvents("openai", messages([])))), Code.Unavailable, 'provider "openai" ended');
  });

  it("a non-JSON chunk → Internal naming the data", async () => {
    const err = await caught(() => collect(chatStreamEvents("vllm", messages([FIRST, "{oops"]))));
    expectError(err, Code.Internal, 'provider "vllm" sent a stream chunk that is not JSON: {oops');
  });
});
