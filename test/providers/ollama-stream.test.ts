// Ollama NDJSON stream bytes → lines (readNdjson, split anywhere) → hoosh.v1 stream events.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FinishReason } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { readNdjson } from "../../server/providers/ndjson.js";
import { chatStreamEvents } from "../../server/providers/ollama/stream.js";
import type { ChatResponse } from "../../server/providers/ollama/wire.js";
import { caught, expectError } from "../unit/helpers.js";

const head = { model: "qwen3:8b", created_at: "2025-06-01T12:00:00.123456789Z" };
const line = (message: object, extra: object = {}) => JSON.stringify({ ...head, message: { role: "assistant", content: "", ...message }, done: false, ...extra });
const DONE = JSON.stringify({
  ...head,
  message: { role: "assistant", content: "" },
  done_reason: "stop",
  done: true,
  total_duration: 4_883_583_458,
  prompt_eval_count: 26,
  prompt_eval_duration: 342_546_000,
  eval_count: 282,
  eval_duration: 4_535_599_000,
});
const TOOL = line({ tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }, { function: { name: "get_time", arguments: {} } }] });

/** A realistic transcript: thinking, multi-byte text, a blank line, CRLF, a tool-call line, and a last line without a newline. */
const TRANSCRIPT = [line({ thinking: "Let me think…" }), line({ content: "Héllo 🌍" }), "", line({ content: " world" }) + "\r", TOOL, DONE].join("\n");

async function* bytes(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* lines(values: unknown[]): AsyncGenerator<ChatResponse> {
  for (const v of values) yield (typeof v === "string" ? JSON.parse(v) : v) as ChatResponse;
}

const events = (chunks: Uint8Array[]) => collect(chatStreamEvents("ollama", readNdjson<ChatResponse>(bytes(chunks), "ollama")));
const summary = (evs: GenerateStreamResponse[]) => evs.map((e) => e.event.case);

/** Events as plain values, for comparing runs. */
const plain = (evs: GenerateStreamResponse[]) => JSON.stringify(evs.map((e) => e.event), (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));

describe("readNdjson + chatStreamEvents over split bytes", () => {
  const all = new TextEncoder().encode(TRANSCRIPT);

  it("turns the transcript into start, reasoning, text, whole tool calls and end", async () => {
    const evs = await events([all]);
    expect(summary(evs)).toEqual(["start", "reasoning", "text", "text", "toolCall", "toolCall", "end"]);
    const [start, reasoning, t1, t2, c0, c1, end] = evs.map((e) => e.event);
    expect(start).toMatchObject({ case: "start", value: { id: "", model: "qwen3:8b" } });
    expect(reasoning?.value).toMatchObject({ text: "Let me think…" });
    expect(t1?.value).toMatchObject({ text: "Héllo 🌍" });
    expect(t2?.value).toMatchObject({ text: " world" });
    expect(c0?.value).toMatchObject({ index: 0, id: "call_0", name: "get_weather", argumentsDelta: '{"city":"Paris"}' });
    expect(c1?.value).toMatchObject({ index: 1, id: "call_1", name: "get_time", argumentsDelta: "{}" });
    if (end?.case !== "end") throw new Error("no end");
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(end.value.usage).toMatchObject({ inputTokens: 26, outputTokens: 282 });
  });

  it("gives the same events for a split at every byte position", async () => {
    const expected = plain(await events([all]));
    for (let i = 1; i < all.length; i++) {
      expect(plain(await events([all.subarray(0, i), all.subarray(i)])), `split at byte ${i}`).toBe(expected);
    }
  });

  it("gives the same events one byte at a time (multi-byte UTF-8 split too)", async () => {
    const expected = plain(await events([all]));
    expect(plain(await events(Array.from(all, (b) => new Uint8Array([b]))))).toBe(expected);
  });

  it("yields events before the body ends (streams, does not buffer)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(line({ content: "first" }) + "\n");
      await gate;
      yield new TextEncoder().encode(DONE + "\n");
    }
    const it = chatStreamEvents("ollama", readNdjson<ChatResponse>(slow(), "ollama"));
    expect((await it.next()).value?.event.case).toBe("start");
    expect((await it.next()).value?.event.value).toMatchObject({ text: "first" });
    release();
    expect((await it.next()).value?.event.case).toBe("end");
    expect((await it.next()).done).toBe(true);
  });

  it("a line that is not JSON → Internal naming it", async () => {
    const err = await caught(() => events([new TextEncoder().encode(`${line({ content: "a" })}\n{"model": oops\n${DONE}\n`)]));
    expectError(err, Code.Internal, 'provider "ollama" sent a stream line that is not JSON: {"model": oops');
  });
});

describe("chatStreamEvents", () => {
  it("a done line with done_reason length → LENGTH; lines after done are not read", async () => {
    const length = JSON.stringify({ ...head, message: { role: "assistant", content: "" }, done: true, done_reason: "length", prompt_eval_count: 3, eval_count: 1 });
    // 42 would be an Internal error if it were read.
    const evs = await collect(chatStreamEvents("ollama", lines([line({ content: "x" }), length, 42])));
    expect(summary(evs)).toEqual(["start", "text", "end"]);
    expect(evs[2]!.event.value).toMatchObject({ finishReason: FinishReason.LENGTH, usage: { inputTokens: 3, outputTokens: 1 } });
  });

  it("a single whole answer (done:true with the message) is a complete stream", async () => {
    const whole = { ...head, message: { role: "assistant", content: "all at once", thinking: "hmm" }, done: true, done_reason: "stop", eval_count: 3 };
    const evs = await collect(chatStreamEvents("ollama", lines([whole])));
    expect(summary(evs)).toEqual(["start", "reasoning", "text", "end"]);
    expect(evs[3]!.event.value).toMatchObject({ finishReason: FinishReason.STOP });
  });

  it("an {\"error\"} line mid-stream → Unavailable, after the earlier events were yielded", async () => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of chatStreamEvents("ollama", lines([line({ content: "a" }), line({ content: "b" }), { error: "an error was encountered while running the model: unexpected EOF" }, DONE]))) seen.push(e);
    });
    expectError(err, Code.Unavailable, 'provider "ollama" failed mid-stream: an error was encountered while running the model: unexpected EOF');
    expect(summary(seen)).toEqual(["start", "text", "text"]);
    // An error as the first line: nothing is yielded.
    expectError(await caught(() => collect(chatStreamEvents("ollama", lines([{ error: "boom" }])))), Code.Unavailable, 'provider "ollama" failed mid-stream: boom');
  });

  it("a stream that ends without done:true → Unavailable", async () => {
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of chatStreamEvents("ollama", lines([line({ content: "a" })]))) seen.push(e);
    });
    expectError(err, Code.Unavailable, 'provider "ollama" ended the stream before it finished');
    expect(summary(seen)).toEqual(["start", "text"]);
    expectError(await caught(() => collect(chatStreamEvents("ollama", lines([])))), Code.Unavailable, 'provider "ollama" ended the stream before it finished');
  });

  it("a line that is JSON but not an object → Internal", async () => {
    const err = await caught(() => collect(chatStreamEvents("ollama", lines([line({ content: "a" }), 42]))));
    expectError(err, Code.Internal, 'provider "ollama" sent a stream line that is not a JSON object: 42');
  });

  it("tool calls across lines keep counting: ids and indexes call_0, call_1", async () => {
    const one = (name: string) => line({ tool_calls: [{ function: { name, arguments: { n: name } } }] });
    const evs = await collect(chatStreamEvents("ollama", lines([one("a"), one("b"), DONE])));
    expect(evs.filter((e) => e.event.case === "toolCall").map((e) => e.event.value)).toMatchObject([
      { index: 0, id: "call_0", name: "a", argumentsDelta: '{"n":"a"}' },
      { index: 1, id: "call_1", name: "b", argumentsDelta: '{"n":"b"}' },
    ]);
  });
});
