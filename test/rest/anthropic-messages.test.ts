// The Anthropic SDK, unmodified but for baseURL, against hoosh's Anthropic
// edge in front of the fake OpenAI upstream: complete and streamed answers,
// tool calls, system prompts, tool results, headers.
import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chatRequests, startAnthropicEnv, type AnthropicEnv } from "./anthropic-harness.js";

let env: AnthropicEnv;
beforeAll(async () => {
  env = await startAnthropicEnv();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(async () => {
  await env.fake.reset();
});

const WEATHER = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] },
};

describe("POST /v1/messages (non-streaming)", () => {
  it("answers a message with text, stop_reason and usage", async () => {
    const msg = await env.client.messages.create({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: "Hello there" }] });
    expect(msg.type).toBe("message");
    expect(msg.role).toBe("assistant");
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.model).toBe("gpt-4o-mini");
    expect(msg.content).toEqual([{ type: "text", text: "echo: Hello there" }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.stop_sequence).toBeNull();
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBe(3);
    expect(msg.usage.cache_read_input_tokens).toBe(0);
  });

  it("passes the system prompt, sampling, stop sequences and user to the upstream", async () => {
    await env.client.messages.create({
      model: "gpt-4o-mini",
      max_tokens: 50,
      system: [{ type: "text", text: "You are terse." }, { type: "text", text: "Answer in French." }],
      temperature: 0.5,
      top_p: 0.9,
      stop_sequences: ["STOP"],
      metadata: { user_id: "user-42" },
      messages: [{ role: "user", content: "Hi" }],
      // Sampling fields the SDK's types no longer list (newer models refuse them); the API still documents them.
    } as Anthropic.MessageCreateParamsNonStreaming);
    const [sent] = await chatRequests(env.fake);
    const body = sent!.body as Record<string, any>;
    expect(body.messages[0].role).toBe("system");
    expect(JSON.stringify(body.messages[0].content)).toContain("You are terse.");
    expect(JSON.stringify(body.messages[0].content)).toContain("Answer in French.");
    expect(body.messages[1]).toMatchObject({ role: "user", content: "Hi" });
    expect(body.temperature).toBe(0.5);
    expect(body.top_p).toBe(0.9);
    expect(body.stop).toEqual(["STOP"]);
    expect(body.user).toBe("user-42");
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(50);
  });

  it("reports max_tokens when the upstream stops for length", async () => {
    const msg = await env.client.messages.create({ model: "gpt-4o-mini", max_tokens: 2, messages: [{ role: "user", content: "one two three four" }] });
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.content).toEqual([{ type: "text", text: "echo: one" }]);
  });

  it("returns a tool_use block whose input is the upstream's arguments", async () => {
    const msg = await env.client.messages.create({
      model: "gpt-4o-mini",
      max_tokens: 100,
      tools: [WEATHER],
      messages: [{ role: "user", content: "please call tool" }],
    });
    expect(msg.stop_reason).toBe("tool_use");
    const block = msg.content[0]!;
    expect(block.type).toBe("tool_use");
    if (block.type !== "tool_use") return;
    expect(block.name).toBe("get_weather");
    expect(block.input).toEqual({ city: "Paris", days: 42 });
    const [sent] = await chatRequests(env.fake);
    expect((sent!.body as any).tools[0].function).toMatchObject({ name: "get_weather", parameters: WEATHER.input_schema });
  });

  it("translates a tool_use / tool_result round trip and an image", async () => {
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    const msg = await env.client.messages.create({
      model: "gpt-4o-mini",
      max_tokens: 100,
      tools: [WEATHER],
      tool_choice: { type: "auto" },
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: png } }] },
        { role: "assistant", content: [{ type: "text", text: "Looking." }, { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "Sunny", is_error: false }, { type: "text", text: "Thanks" }] },
      ],
    });
    expect(msg.content).toEqual([{ type: "text", text: "echo: Thanks" }]);
    const body = (await chatRequests(env.fake))[0]!.body as Record<string, any>;
    expect(body.messages.map((m: any) => m.role)).toEqual(["user", "assistant", "tool", "user"]);
    expect(body.messages[0].content[1]).toEqual({ type: "image_url", image_url: { url: `data:image/png;base64,${png}` } });
    expect(body.messages[1].tool_calls).toEqual([{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }]);
    expect(body.messages[2]).toMatchObject({ role: "tool", tool_call_id: "toolu_1", content: "Sunny" });
    expect(body.tool_choice).toBe("auto");
  });

  it("sets request-id and x-hoosh-* headers, and reuses the caller's x-request-id", async () => {
    const { response } = await env.client.messages
      .create({ model: "gpt-4o-mini", max_tokens: 10, top_k: 5, messages: [{ role: "user", content: "hi" }] } as Anthropic.MessageCreateParamsNonStreaming, { headers: { "x-request-id": "trace-123" } })
      .withResponse();
    expect(response.headers.get("request-id")).toBe("trace-123");
    expect(response.headers.get("x-request-id")).toBe("trace-123");
    expect(response.headers.get("x-hoosh-provider")).toBe("fake");
    expect(response.headers.get("x-hoosh-cache")).toBe("miss");
    expect(response.headers.get("x-hoosh-attempts")).toBe("1");
    expect(Number(response.headers.get("x-hoosh-overhead-ms"))).toBeGreaterThanOrEqual(0);
    expect(response.headers.get("x-hoosh-ignored-params")).toBe("top_k");
    const [sent] = await chatRequests(env.fake);
    expect(sent!.headers["x-request-id"]).toBe("trace-123");
  });
});

describe("POST /v1/messages (streaming)", () => {
  it("streams text whose final message equals the upstream echo", async () => {
    const stream = env.client.messages.stream({ model: "gpt-4o-mini", max_tokens: 100, system: "Be brief.", messages: [{ role: "user", content: "stream me please" }] });
    let text = "";
    stream.on("text", (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text).toBe("echo: stream me please");
    expect(final.content).toEqual([{ type: "text", text: "echo: stream me please" }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(4);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    const [sent] = await chatRequests(env.fake);
    expect(sent!.stream).toBe(true);
    expect((sent!.body as any).messages[0]).toMatchObject({ role: "system", content: "Be brief." });
  });

  it("sends Anthropic's event sequence", async () => {
    const stream = await env.client.messages.create({ model: "gpt-4o-mini", max_tokens: 100, stream: true, messages: [{ role: "user", content: "a b" }] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("streams a tool call as a tool_use block with input_json_delta pieces", async () => {
    const stream = env.client.messages.stream({ model: "gpt-4o-mini", max_tokens: 100, tools: [WEATHER], messages: [{ role: "user", content: "call tool now" }] });
    const pieces: string[] = [];
    stream.on("inputJson", (partial) => pieces.push(partial));
    const final = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(1);
    expect(final.stop_reason).toBe("tool_use");
    const block = final.content[0]!;
    expect(block.type).toBe("tool_use");
    if (block.type !== "tool_use") return;
    expect(block.name).toBe("get_weather");
    expect(block.id).toMatch(/^call_/);
    expect(block.input).toEqual(JSON.parse(pieces.join("")));
    expect(block.input).toEqual({ city: "Paris", days: 42 });
  });
});
