// POST /v1/responses (the OpenAI Responses API) through the official OpenAI SDK: create and
// stream, the tool round trip, structured output, usage details, cancellation reaching the
// upstream, x-hoosh-ignored-params, and errors (404 model, 429 upstream, 400 missing input,
// previous_response_id, stored-response paths).
import { create } from "@bufbuild/protobuf";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { toResponseUsage } from "../../server/rest/openai/responses/response.js";
import { expectOpenAIError, post, startOpenAIEnv, upstreamRequests, type OpenAIEnv } from "./openai-harness.js";

let env: OpenAIEnv;
beforeAll(async () => {
  env = await startOpenAIEnv();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(async () => {
  await env.fake.reset();
});

const lastUpstreamBody = async () => {
  const reqs = await upstreamRequests(env.fake, "/v1/chat/completions");
  return reqs[reqs.length - 1]!.body as Record<string, unknown>;
};

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

describe("responses.create", () => {
  it("answers a response with output_text, usage and the x-hoosh-* headers; instructions and max_output_tokens reach the upstream", async () => {
    const { data, response } = await env.client.responses
      .create({ model: "gpt-4o-mini", instructions: "Be brief.", input: "Hello there", max_output_tokens: 50, temperature: 0.5, top_p: 0.9 }, { headers: { "x-request-id": "req-resp-1" } })
      .withResponse();
    expect(data.object).toBe("response");
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe("completed");
    expect(data.model).toBe("gpt-4o-mini");
    expect(data.output_text).toBe("echo: Hello there");
    expect(data.output).toHaveLength(1);
    expect(data.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "echo: Hello there" }] });
    expect(data.usage).toMatchObject({ input_tokens: 10, output_tokens: 3, total_tokens: 13, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } });
    expect(data.instructions).toBe("Be brief.");
    expect((data as unknown as { store: boolean }).store).toBe(false);
    expect(response.headers.get("x-request-id")).toBe("req-resp-1");
    expect(response.headers.get("x-hoosh-provider")).toBe("fake");
    expect(response.headers.get("x-hoosh-ignored-params")).toBeNull();

    const upstream = await lastUpstreamBody();
    expect(upstream.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello there" },
    ]);
    expect(upstream).toMatchObject({ temperature: 0.5, top_p: 0.9 });
    expect(upstream.max_completion_tokens ?? upstream.max_tokens).toBe(50);
  });

  it("passes reasoning.effort, and reports cached and reasoning tokens in usage", async () => {
    const data = await env.client.responses.create({ model: "gpt-4o-mini", input: [{ role: "user", content: [{ type: "input_text", text: "think" }] }], reasoning: { effort: "low" } });
    expect(data.reasoning?.effort).toBe("low");
    expect((await lastUpstreamBody()).reasoning_effort).toBe("low");
    // The fake's usage details are per provider config; the mapping itself:
    const usage = toResponseUsage(create(UsageSchema, { inputTokens: 10, cachedInputTokens: 4, outputTokens: 5, reasoningTokens: 2 }));
    expect(usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15 });
  });

  it("passes text.format json_schema as the upstream's response_format", async () => {
    await env.client.responses.create({
      model: "gpt-4o-mini",
      input: "a city",
      text: { format: { type: "json_schema", name: "city", schema: { type: "object", properties: { name: { type: "string" } } }, strict: true } },
    });
    expect((await lastUpstreamBody()).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "city", schema: { type: "object", properties: { name: { type: "string" } } }, strict: true },
    });
  });

  it("round-trips a tool call: function_call out, function_call_output back in", async () => {
    const first = await env.client.responses.create({ model: "gpt-4o-mini", input: "weather in Paris?", tools: [weatherTool], tool_choice: "required" });
    const call = first.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
    if (call?.type !== "function_call") throw new Error("no function_call");
    expect(JSON.parse(call.arguments)).toHaveProperty("city");
    expect(call.call_id).toBeTruthy();

    const second = await env.client.responses.create({
      model: "gpt-4o-mini",
      tools: [weatherTool],
      input: [{ role: "user", content: "weather in Paris?" }, call, { type: "function_call_output", call_id: call.call_id, output: "sunny" }],
    });
    expect(second.status).toBe("completed");
    const messages = (await lastUpstreamBody()).messages as Record<string, unknown>[];
    expect(messages[1]).toMatchObject({ role: "assistant", tool_calls: [{ id: call.call_id, type: "function", function: { name: "get_weather", arguments: call.arguments } }] });
    expect(messages[2]).toMatchObject({ role: "tool", tool_call_id: call.call_id, content: "sunny" });
    expect((await lastUpstreamBody()).tools).toEqual([{ type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: weatherTool.parameters, strict: true } }]);
  });

  it("names every field it cannot honour in x-hoosh-ignored-params (unknown fields, store, include)", async () => {
    const res = await post(`${env.url}/v1/responses`, { model: "gpt-4o-mini", input: "hi", store: true, include: ["reasoning.encrypted_content"], frobnicate: 1 });
    expect(res.status).toBe(200);
    const ignored = (res.headers.get("x-hoosh-ignored-params") ?? "").split(", ").sort();
    expect(ignored).toEqual(["frobnicate", "include", "store"]);
  });
});

describe("responses streaming", () => {
  it("streams typed events with increasing sequence_number that assemble to the final response", async () => {
    const stream = await env.client.responses.create({ model: "gpt-4o-mini", input: "one two three", stream: true });
    const types: string[] = [];
    const seqs: number[] = [];
    let text = "";
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      seqs.push(event.sequence_number);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") final = event.response;
    }
    expect(types[0]).toBe("response.created");
    expect(types[1]).toBe("response.in_progress");
    expect(types).toContain("response.output_item.added");
    expect(types).toContain("response.content_part.added");
    expect(types).toContain("response.output_text.done");
    expect(types).toContain("response.output_item.done");
    expect(types[types.length - 1]).toBe("response.completed");
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(text).toBe("echo: one two three");
    expect(final!.status).toBe("completed");
    expect(final!.usage!.output_tokens).toBeGreaterThan(0);
    expect(final!.output[0]).toMatchObject({ type: "message", content: [{ type: "output_text", text }] });
  });

  it("works with the SDK's responses.stream helper (finalResponse, output_text)", async () => {
    const stream = env.client.responses.stream({ model: "gpt-4o-mini", input: "stream helper" });
    let deltas = "";
    stream.on("response.output_text.delta", (e) => {
      deltas += e.delta;
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("echo: stream helper");
    expect(deltas).toBe("echo: stream helper");
  });

  it("streams a function call whose assembled arguments parse", async () => {
    const stream = env.client.responses.stream({ model: "gpt-4o-mini", input: "please call tool", tools: [weatherTool] });
    let args = "";
    stream.on("response.function_call_arguments.delta", (e) => {
      args += e.delta;
    });
    const final = await stream.finalResponse();
    const call = final.output.find((o) => o.type === "function_call");
    if (call?.type !== "function_call") throw new Error("no function_call");
    expect(call.name).toBe("get_weather");
    expect(call.arguments).toBe(args);
    expect(JSON.parse(args)).toHaveProperty("city");
  });

  it("closes the upstream request when the client goes away mid-stream", async () => {
    const stream = await env.client.responses.create({ model: "fake-long-stream", input: "go", stream: true });
    let received = 0;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") received++;
      if (received >= 3) break; // breaking out aborts the SDK's HTTP request
    }
    const closed = await env.fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 5_000);
    expect(closed.type).toBe("client-closed");
  });
});

describe("responses errors", () => {
  const rejection = (p: Promise<unknown>) => p.then(() => expect.unreachable("expected an error"), (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);

  it("404 model_not_found for a model no provider serves", async () => {
    const err = await rejection(env.client.responses.create({ model: "mystery-model", input: "hi" }));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe("model_not_found");
    expect(err.param).toBe("model");
  });

  it("429 RateLimitError with the upstream's Retry-After, streaming and not", async () => {
    const err = await rejection(env.client.responses.create({ model: "fake-429", input: "hi" }));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers?.get("retry-after")).toBeTruthy();
    const streamErr = await rejection(env.client.responses.create({ model: "fake-429", input: "hi", stream: true }));
    expect(streamErr).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("400 naming input when it is missing, and input paths for errors the core finds", async () => {
    const err = await rejection(env.client.responses.create({ model: "gpt-4o-mini" } as OpenAI.Responses.ResponseCreateParamsNonStreaming));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe("input");
    expect(err.code).toBe("missing_required_parameter");
    const image = await expectOpenAIError(
      await post(`${env.url}/v1/responses`, { model: "gpt-4o", instructions: "x", input: [{ role: "user", content: [{ type: "input_image", image_url: "ftp://x/y.png" }] }] }),
      400,
      /^input\[0\]\.content\[0\]\.image_url: "ftp:\/\/x\/y\.png" is not allowed/,
    );
    expect(image.param).toBe("input[0].content[0].image_url");
    const badItem = await expectOpenAIError(await post(`${env.url}/v1/responses`, { model: "gpt-4o", input: [{ type: "web_search_call" }] }), 400, /^input\[0\]\.type: "web_search_call" is not supported/);
    expect(badItem.param).toBe("input[0].type");
  });

  it("400 naming max_output_tokens when it and the prompt exceed the model's context window (also on chat completions)", async () => {
    // gpt-4o-mini: a 128,000-token window (data/models.json).
    const err = await rejection(env.client.responses.create({ model: "gpt-4o-mini", input: "hi", max_output_tokens: 200_000 }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe("max_output_tokens");
    expect(err.message).toMatch(/200000 plus the prompt's ~\d+ tokens exceeds model "gpt-4o-mini"'s context window of 128000 tokens; allowed: at most \d+/);
    const chat = await rejection(env.client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 200_000 }));
    expect(chat).toBeInstanceOf(OpenAI.BadRequestError);
    expect(chat.param).toBe("max_tokens");
    expect(await upstreamRequests(env.fake, "/v1/chat/completions")).toHaveLength(0);
  });

  it("refuses previous_response_id with a 400 naming it, and answers 404 for stored-response paths", async () => {
    const err = await rejection(env.client.responses.create({ model: "gpt-4o-mini", input: "hi", previous_response_id: "resp_123" }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe("previous_response_id");
    expect(await rejection(env.client.responses.retrieve("resp_123"))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(env.client.responses.delete("resp_123"))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(env.client.responses.cancel("resp_123"))).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
