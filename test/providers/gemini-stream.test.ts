// streamGenerateContent?alt=sse bytes (split anywhere) -> hoosh.v1 stream events.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FinishReason } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { arrayChunks, geminiStreamEvents, sseChunks } from "../../server/providers/gemini/stream.js";
import { readSse } from "../../server/providers/sse.js";
import { caught, expectError } from "../unit/helpers.js";

const head = { modelVersion: "gemini-2.5-flash", responseId: "r-42" };
const chunk = (parts: object[], finishReason?: string, usage: object = { promptTokenCount: 7, totalTokenCount: 7 }) =>
  JSON.stringify({ candidates: [{ content: { role: "model", parts }, ...(finishReason ? { finishReason } : {}), index: 0 }], usageMetadata: usage, ...head });
const FINAL_USAGE = { promptTokenCount: 7, candidatesTokenCount: 3, thoughtsTokenCount: 2, totalTokenCount: 12 };

/** Google's own framing: CRLF after each data line and a blank CRLF line. */
const sse = (...data: string[]) => data.map((d) => `data: ${d}\r\n\r\n`).join("");

async function* bytes(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const run = (text: string, split: number[] = []) => {
  const all = new TextEncoder().encode(text);
  const cuts = [0, ...split, all.length];
  const pieces = cuts.slice(1).map((end, i) => all.subarray(cuts[i], end));
  return collect(geminiStreamEvents("gem", sseChunks("gem", readSse(bytes(pieces)))));
};
/** Events as compact [case, value] pairs for comparison. */
const shape = (events: GenerateStreamResponse[]) =>
  events.map((e) => {
    const v = e.event.value as unknown as Record<string, unknown>;
    switch (e.event.case) {
      case "start": return ["start", v.id, v.model];
      case "text": case "reasoning": return [e.event.case, v.text];
      case "toolCall": return ["toolCall", v.index, v.id, v.name, v.argumentsDelta];
      case "end": return ["end", FinishReason[v.finishReason as FinishReason]];
      default: return [e.event.case];
    }
  });

const TEXT_STREAM = sse(
  chunk([{ text: "Weighing it up.", thought: true }]),
  chunk([{ text: "Héllo 🌍" }]),
  chunk([{ text: " world" }]),
  chunk([{ text: "!" }], "STOP", FINAL_USAGE),
);

describe("geminiStreamEvents", () => {
  it("text and thought parts -> text and reasoning deltas; usage from the last chunk", async () => {
    const events = await run(TEXT_STREAM);
    expect(shape(events)).toEqual([
      ["start", "r-42", "gemini-2.5-flash"],
      ["reasoning", "Weighing it up."],
      ["text", "Héllo 🌍"],
      ["text", " world"],
      ["text", "!"],
      ["end", "STOP"],
    ]);
    const end = events.at(-1)!.event;
    expect(end.case === "end" && end.value.usage).toMatchObject({ inputTokens: 7, outputTokens: 5, reasoningTokens: 2 });
  });

  it("gives the same events for a split at every byte position (multi-byte UTF-8 too)", async () => {
    const expected = shape(await run(TEXT_STREAM));
    const size = new TextEncoder().encode(TEXT_STREAM).length;
    for (let i = 1; i < size; i++) expect(shape(await run(TEXT_STREAM, [i])), `split at ${i}`).toEqual(expected);
    expect(shape(await run(TEXT_STREAM, Array.from({ length: size - 1 }, (_, i) => i + 1)))).toEqual(expected);
  });

  it("function calls arrive whole: one delta each with id call_<n>, name and all arguments; finish TOOL_CALLS", async () => {
    const events = await run(
      sse(
        chunk([{ functionCall: { name: "get_weather", args: { city: "Paris" } } }]),
        chunk([{ functionCall: { name: "get_time", args: { tz: "CET" } } }, { functionCall: { id: "own-id", name: "noop" } }], "STOP", FINAL_USAGE),
      ),
    );
    expect(shape(events)).toEqual([
      ["start", "r-42", "gemini-2.5-flash"],
      ["toolCall", 0, "call_0", "get_weather", '{"city":"Paris"}'],
      ["toolCall", 1, "call_1", "get_time", '{"tz":"CET"}'],
      ["toolCall", 2, "own-id", "noop", "{}"],
      ["end", "TOOL_CALLS"],
    ]);
  });

  it("MAX_TOKENS -> LENGTH; a finish chunk followed by a usage-only chunk still ends once", async () => {
    const events = await run(sse(chunk([{ text: "cut" }], "MAX_TOKENS"), JSON.stringify({ usageMetadata: FINAL_USAGE, ...head })));
    expect(shape(events)).toEqual([["start", "r-42", "gemini-2.5-flash"], ["text", "cut"], ["end", "LENGTH"]]);
    const end = events.at(-1)!.event;
    expect(end.case === "end" && end.value.usage?.outputTokens).toBe(5);
  });

  it("an error object mid-stream keeps Google's code", async () => {
    const err = await caught(() => run(sse(chunk([{ text: "partial" }]), JSON.stringify({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }))));
    expectError(err, Code.Unavailable, 'provider "gem" failed mid-stream: The model is overloaded. (status=UNAVAILABLE)');
    const internal = await caught(() => run(sse(JSON.stringify({ error: { code: 500, message: "boom", status: "INTERNAL" } }))));
    expectError(internal, Code.Internal, 'provider "gem" failed mid-stream: boom');
  });

  it("a stream that ends without any finishReason is Unavailable", async () => {
    expectError(await caught(() => run(sse(chunk([{ text: "a" }]), chunk([{ text: "b" }])))), Code.Unavailable, 'provider "gem" ended the stream before it finished');
    expectError(await caught(() => run("")), Code.Unavailable, 'provider "gem" ended the stream before it finished');
  });

  it("a chunk that is not JSON is Internal", async () => {
    expectError(await caught(() => run(sse(chunk([{ text: "a" }]), '{"candidates": ['))), Code.Internal, 'provider "gem" sent a stream chunk that is not JSON');
  });

  it("a blocked prompt is InvalidArgument before any event", async () => {
    const blocked = JSON.stringify({ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 3 }, ...head });
    const seen: GenerateStreamResponse[] = [];
    const err = await caught(async () => {
      for await (const e of geminiStreamEvents("gem", sseChunks("gem", readSse(bytes([new TextEncoder().encode(sse(blocked))]))))) seen.push(e);
    });
    expect(seen).toEqual([]);
    expectError(err, Code.InvalidArgument, 'provider "gem" blocked the prompt (blockReason PROHIBITED_CONTENT; safety ratings: no category rated above NEGLIGIBLE)');
  });

  it("SAFETY with nothing answered is FailedPrecondition; after some text it is CONTENT_FILTER", async () => {
    const ratings = [{ category: "HARM_CATEGORY_HATE_SPEECH", probability: "HIGH", blocked: true }];
    const safety = JSON.stringify({ candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: ratings }], ...head });
    const err = await caught(() => run(sse(safety)));
    expectError(err, Code.FailedPrecondition, 'provider "gem" withheld the answer (finishReason SAFETY; safety ratings: HARM_CATEGORY_HATE_SPEECH=HIGH (blocked))');
    const partial = await run(sse(chunk([{ text: "Well" }]), safety));
    expect(shape(partial).at(-1)).toEqual(["end", "CONTENT_FILTER"]);
  });

  it("a JSON-array answer (no alt=sse) gives the same events", async () => {
    const array = JSON.parse(`[${[chunk([{ text: "a" }]), chunk([{ text: "b" }], "STOP")].join(",")}]`) as unknown;
    expect(shape(await collect(geminiStreamEvents("gem", arrayChunks(array))))).toEqual([["start", "r-42", "gemini-2.5-flash"], ["text", "a"], ["text", "b"], ["end", "STOP"]]);
  });
});
