// AnthropicProvider against the fake Anthropic upstream (a separate process):
// what goes on the wire, streams, JSON formats. Faults: anthropic-client-faults.test.ts.
import { describe, expect, it } from "vitest";
import { FinishReason, ResponseFormat_Type, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { call, cases, chat, collect, summarize, text, TIME_TOOL, toolResult, user, WEATHER_TOOL } from "./anthropic-helpers.js";
import { useFakeAnthropic } from "./anthropic-fixture.js";

const { provider, lastRequest } = useFakeAnthropic();

describe("requests on the wire", () => {
  it("generate posts /v1/messages with x-api-key, anthropic-version, request id and trace headers", async () => {
    const p = provider({ headers: { "anthropic-beta": "prompt-caching-2024-07-31" } });
    expect(p).toMatchObject({ type: "anthropic", name: "claude", locality: Locality.REMOTE });
    const res = await p.generate(chat("claude-sonnet-4-20250514", "hello world"), call({ forwardHeaders: { traceparent: "00-trace-span-01" } }));
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: hello world" });
    expect(res).toMatchObject({ model: "claude-sonnet-4-20250514", finishReason: FinishReason.STOP });
    expect(res.id).toMatch(/^msg_01/);
    expect(res.usage).toMatchObject({ inputTokens: 5, outputTokens: 3 });
    const req = await lastRequest();
    expect(req).toMatchObject({ method: "POST", path: "/v1/messages", model: "claude-sonnet-4-20250514", stream: false });
    expect(req.headers).toEqual({
      "x-api-key": true,
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "prompt-caching-2024-07-31",
      "user-agent": "hoosh/0.1",
      traceparent: "00-trace-span-01",
      "x-request-id": "req-anthropic-1",
    });
    expect(req.body).toEqual({ model: "claude-sonnet-4-20250514", max_tokens: 4096, messages: [{ role: "user", content: [{ type: "text", text: "hello world" }] }] });
  });

  it("apiVersion and defaultMaxTokens options", async () => {
    await provider({ apiVersion: "2024-01-01", defaultMaxTokens: 300 }).generate(chat("m"), call());
    const req = await lastRequest();
    expect(req.headers["anthropic-version"]).toBe("2024-01-01");
    expect(req.body).toMatchObject({ max_tokens: 300 });
  });

  it("cache reads count into input tokens and cached input tokens", async () => {
    const res = await provider({ headers: { "x-fake-cache-read": "3", "x-fake-cache-creation": "1" } }).generate(chat("m", "one two three four"), call());
    expect(res.usage).toMatchObject({ inputTokens: 7, cachedInputTokens: 3 });
  });

  it("max_tokens cuts the answer (LENGTH); a stop sequence ends it (STOP)", async () => {
    const cut = await provider().generate(chat("m", "a b c d", { sampling: { maxTokens: 2, stop: [] } }), call());
    expect(cut).toMatchObject({ finishReason: FinishReason.LENGTH, message: { content: [{ part: { value: "echo: a" } }] } });
    const stopped = await provider().generate(chat("m", "a b STOP c", { sampling: { stop: ["STOP"] } }), call());
    expect(stopped).toMatchObject({ finishReason: FinishReason.STOP, message: { content: [{ part: { value: "echo: a b " } }] } });
  });

  it("a multi-turn tool conversation passes the fake's alternation and tool pairing checks", async () => {
    const messages = [
      { role: Role.SYSTEM, content: [text("Be brief.")] },
      user("weather?"),
      { role: Role.ASSISTANT, content: [text("Checking.")], toolCalls: [{ id: "toolu_a", name: "get_weather", arguments: '{"city":"Paris"}' }, { id: "toolu_b", name: "get_time", arguments: "{}" }] },
      toolResult("toolu_a", "sunny"),
      toolResult("toolu_b", "noon"),
      user("thanks, summarize"),
    ];
    const res = await provider().generate(chat("m", "", { messages, tools: [WEATHER_TOOL, TIME_TOOL] }), call());
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: "echo: thanks, summarize" });
  });
});

describe("streams", () => {
  it("start, text deltas and end with usage", async () => {
    const events = await collect(provider({ headers: { "x-fake-cache-read": "2" } }).generateStream(chat("m", "a b c"), call()));
    expect(cases(events)).toEqual(["start", "text", "text", "text", "text", "end"]);
    const s = summarize(events);
    expect(s.text).toBe("echo: a b c");
    expect(s.end).toMatchObject({ finishReason: FinishReason.STOP, usage: { inputTokens: 6, cachedInputTokens: 2, outputTokens: 4 } });
    expect((await lastRequest()).body).toMatchObject({ stream: true });
  });

  it("a tool call after text, streamed in pieces, assembles into JSON arguments at index 0", async () => {
    const events = await collect(provider({ headers: { "x-fake-chunks": "5" } }).generateStream(chat("m", "please call tool", { tools: [WEATHER_TOOL] }), call()));
    const deltas = events.filter((e) => e.event.case === "toolCall");
    expect(deltas.length).toBe(6);
    const s = summarize(events);
    expect(s.text).toBe("I'll call get_weather.");
    expect([...s.calls.keys()]).toEqual([0]);
    expect(s.calls.get(0)).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(s.calls.get(0)?.id).toMatch(/^toolu_01/);
    expect(s.end?.finishReason).toBe(FinishReason.TOOL_CALLS);
  });

  it("parallel calls get indices 0 and 1; parallel_tool_calls=false allows one", async () => {
    const s = summarize(await collect(provider().generateStream(chat("m", "call all tools", { tools: [WEATHER_TOOL, TIME_TOOL] }), call())));
    expect([...s.calls.entries()].map(([i, c]) => [i, c.name, c.arguments])).toEqual([
      [0, "get_weather", '{"city":"Paris"}'],
      [1, "get_time", '{"zone":"Paris"}'],
    ]);
    const one = summarize(await collect(provider().generateStream(chat("m", "call all tools", { tools: [WEATHER_TOOL, TIME_TOOL], parallelToolCalls: false }), call())));
    expect([...one.calls.values()].map((c) => c.name)).toEqual(["get_weather"]);
  });

  it("thinking streams as reasoning", async () => {
    const s = summarize(await collect(provider({ headers: { "x-fake-thinking": "weigh the options" } }).generateStream(chat("m", "hi"), call())));
    expect(s.reasoning).toBe("weigh the options");
    expect(s.text).toBe("echo: hi");
  });
});

describe("JSON response formats", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

  it("JSON_SCHEMA: generate and stream answer with the schema's JSON as text, STOP", async () => {
    const req = chat("m", "where?", { responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: "place", jsonSchema: schema } });
    const res = await provider().generate(req, call());
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.message?.toolCalls).toHaveLength(0);
    expect(res.message?.content[0]?.part).toEqual({ case: "text", value: '{"city":"Paris"}' });
    const s = summarize(await collect(provider().generateStream(req, call())));
    expect(JSON.parse(s.text)).toEqual({ city: "Paris" });
    expect(s.calls.size).toBe(0);
    expect(s.end?.finishReason).toBe(FinishReason.STOP);
  });

  it("JSON_OBJECT answers with a JSON object", async () => {
    const res = await provider().generate(chat("m", "say hi", { responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), call());
    const value = res.message?.content[0]?.part.value;
    expect(JSON.parse(String(value))).toEqual({ echo: "say hi" });
  });

  it("with user tools the model may still call one of them", async () => {
    const req = chat("m", "call tool please", { tools: [WEATHER_TOOL], responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, jsonSchema: schema } });
    const res = await provider().generate(req, call());
    expect(res.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(res.message?.toolCalls[0]).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}' });
  });
});
