// POST /v1/chat/completions through the official OpenAI SDK: unary, streaming,
// tool calls, JSON schema, parameters reaching the upstream, x-hoosh-* headers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpenAIEnv, upstreamRequests, type OpenAIEnv } from "./openai-harness.js";

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
  function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

describe("chat completions, unary", () => {
  it("answers a chat.completion with usage and the x-hoosh-* headers", async () => {
    const { data, response } = await env.client.chat.completions
      .create(
        { model: "gpt-4o-mini", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello there" }] },
        { headers: { "x-request-id": "req-chat-1" } },
      )
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.model).toBe("gpt-4o-mini");
    expect(typeof data.created).toBe("number");
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]!.message).toMatchObject({ role: "assistant", content: "echo: Hello there" });
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 });
    expect(data.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
    expect(data.usage!.completion_tokens_details!.reasoning_tokens).toBe(0);

    expect(response.headers.get("x-request-id")).toBe("req-chat-1");
    expect(response.headers.get("x-hoosh-provider")).toBe("fake");
    expect(response.headers.get("x-hoosh-cache")).toBe("miss");
    expect(response.headers.get("x-hoosh-attempts")).toBe("1");
    expect(Number(response.headers.get("x-hoosh-overhead-ms"))).toBeGreaterThanOrEqual(0);
    const [upstream] = await upstreamRequests(env.fake, "/v1/chat/completions");
    expect(upstream!.headers["x-request-id"]).toBe("req-chat-1");
  });

  it("passes sampling parameters, stop, seed, user and developer messages upstream", async () => {
    await env.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "developer", content: "Terse." }, { role: "user", content: [{ type: "text", text: "one two" }] }],
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 50,
      stop: "END",
      seed: 42,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      user: "user-7",
      metadata: { team: "search" },
    });
    const body = await lastUpstreamBody();
    expect(body).toMatchObject({ temperature: 0.5, top_p: 0.9, stop: ["END"], seed: 42, presence_penalty: 0.1, frequency_penalty: 0.2, user: "user-7" });
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(50);
    expect((body.messages as { role: string }[]).map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("reports a non-streamed tool call and accepts the tool round trip", async () => {
    const first = await env.client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "weather?" }], tools: [weatherTool], tool_choice: "required" });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(first.choices[0]!.message.content).toBeNull();
    expect(call.type).toBe("function");
    if (call.type !== "function") throw new Error("not a function call");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });

    const second = await env.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "sunny" },
      ],
      tools: [weatherTool],
    });
    expect(second.choices[0]!.message.content).toBe("echo: weather?");
    const messages = (await lastUpstreamBody()).messages as Record<string, unknown>[];
    expect(messages[1]).toMatchObject({ role: "assistant", tool_calls: [{ id: call.id, type: "function", function: { name: "get_weather" } }] });
    expect(messages[2]).toMatchObject({ role: "tool", tool_call_id: call.id, content: "sunny" });
  });

  it("passes json_schema response_format through to the upstream", async () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    await env.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "answer in JSON" }],
      response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } },
    });
    const event = await env.fake.waitForEvent((e) => e.type === "request" && e.path === "/v1/chat/completions");
    const body = (event as { body: Record<string, unknown> }).body;
    expect(body.response_format).toEqual({ type: "json_schema", json_schema: { name: "answer", schema, strict: true } });
  });

  it("sends image parts (data URLs decoded once, re-encoded upstream) with their detail", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex").toString("base64");
    await env.client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: `data:image/png;base64,${png}`, detail: "low" } }] }],
    });
    const parts = ((await lastUpstreamBody()).messages as { content: unknown }[])[0]!.content;
    expect(parts).toEqual([{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: `data:image/png;base64,${png}`, detail: "low" } }]);
  });
});

describe("chat completions, streaming", () => {
  it("streams chunks whose content assembles to the upstream's echo, then usage", async () => {
    const stream = await env.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "stream these words please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.object).toBe("chat.completion.chunk");
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(content).toBe("echo: stream these words please");
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0]!.finish_reason)).toEqual(["stop"]);
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
  });

  it("sends the x-hoosh-* headers on the event stream and ends with [DONE]", async () => {
    const res = await fetch(`${env.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-hoosh-provider")).toBe("fake");
    expect(res.headers.get("x-hoosh-attempts")).toBe("1");
    expect(res.headers.get("x-hoosh-cache")).toBe("miss");
    expect(Number(res.headers.get("x-hoosh-overhead-ms"))).toBeGreaterThanOrEqual(0);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const text = await res.text();
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(text).not.toContain('"usage"'); // include_usage was not asked for
  });

  it("streams a tool call whose assembled arguments parse", async () => {
    const stream = await env.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "please call tool" }],
      tools: [weatherTool],
      stream: true,
    });
    const calls = new Map<number, { id: string; name: string; args: string }>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(d.index) ?? { id: "", name: "", args: "" };
        call.id ||= d.id ?? "";
        call.name ||= d.function?.name ?? "";
        call.args += d.function?.arguments ?? "";
        calls.set(d.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(calls.size).toBe(1);
    const call = calls.get(0)!;
    expect(call.id).toMatch(/^call_/);
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.args)).toEqual({ city: "Paris" });
  });
});
