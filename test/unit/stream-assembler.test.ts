// StreamAssembler: the whole assistant message from stream deltas.
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { StreamAssembler } from "../../server/core/stream-assembler.js";
import { streamEvent, type StreamEventInit } from "../../server/providers/stream-event.js";

function assemble(events: StreamEventInit[]) {
  const a = new StreamAssembler();
  for (const e of events) a.add(streamEvent(e).event);
  return a.message();
}

const call = (index: number, id: string, name: string, argumentsDelta: string): StreamEventInit => ({
  case: "toolCall",
  value: { index, id, name, argumentsDelta },
});

describe("StreamAssembler", () => {
  it("joins text deltas into one text part after the reasoning part; start and end are not content", () => {
    const m = assemble([
      { case: "start", value: { id: "x" } },
      { case: "reasoning", value: { text: "hmm" } },
      { case: "text", value: { text: "Hello" } },
      { case: "text", value: { text: ", " } },
      { case: "text", value: { text: "world" } },
      { case: "end", value: {} },
    ]);
    expect(m.role).toBe(Role.ASSISTANT);
    expect(m.content).toHaveLength(2);
    expect(m.content[0]?.part).toMatchObject({ case: "reasoning", value: { text: "hmm", signature: "", redacted: "" } });
    expect(m.content[1]?.part).toEqual({ case: "text", value: "Hello, world" });
    expect(m.toolCalls).toEqual([]);
  });

  it("closes a reasoning block at its signature and keeps redacted reasoning as its own part", () => {
    const m = assemble([
      { case: "reasoning", value: { text: "First " } },
      { case: "reasoning", value: { text: "thought." } },
      { case: "reasoning", value: { signature: "sig-1" } },
      { case: "reasoning", value: { redacted: "opaque==" } },
      { case: "reasoning", value: { text: "Second." } },
      { case: "reasoning", value: { signature: "sig-2" } },
      { case: "text", value: { text: "Answer" } },
    ]);
    expect(m.content.map((c) => c.part.value)).toMatchObject([
      { text: "First thought.", signature: "sig-1", redacted: "" },
      { text: "", signature: "", redacted: "opaque==" },
      { text: "Second.", signature: "sig-2" },
      "Answer",
    ]);
  });

  it("assembles two interleaved tool calls by index", () => {
    const m = assemble([
      call(1, "call_b", "get_time", ""),
      call(0, "call_a", "get_weather", ""),
      call(0, "", "", '{"ci'),
      call(1, "", "", '{"tz":'),
      call(0, "", "", 'ty":"Paris"}'),
      call(1, "", "", '"UTC"}'),
    ]);
    expect(m.content).toEqual([]);
    expect(m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }))).toEqual([
      { id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "call_b", name: "get_time", arguments: '{"tz":"UTC"}' },
    ]);
    expect(JSON.parse(m.toolCalls[0]!.arguments)).toEqual({ city: "Paris" });
  });

  it("keeps the first id and name of a call; later repeats do not overwrite", () => {
    const m = assemble([call(0, "call_1", "f", "{"), call(0, "call_1", "f", "}"), call(0, "", "", "")]);
    expect(m.toolCalls).toHaveLength(1);
    expect(m.toolCalls[0]).toMatchObject({ id: "call_1", name: "f", arguments: "{}" });
  });

  it("text and tool calls together", () => {
    const m = assemble([{ case: "text", value: { text: "Let me check." } }, call(0, "c", "f", "{}")]);
    expect(m.content[0]?.part).toEqual({ case: "text", value: "Let me check." });
    expect(m.toolCalls).toHaveLength(1);
  });

  it("nothing in → an empty assistant message", () => {
    const m = new StreamAssembler().message();
    expect(m.role).toBe(Role.ASSISTANT);
    expect(m.content).toEqual([]);
    expect(m.toolCalls).toEqual([]);
  });
});
