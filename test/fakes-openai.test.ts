// The fake OpenAI upstream, run as its own process and exercised with plain fetch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, startProcess, type FakeOpenAI } from "./fakes/spawn.js";

type Json = Record<string, any>;

let fake: FakeOpenAI;
let authed: FakeOpenAI;

beforeAll(async () => {
  [fake, authed] = await Promise.all([startFakeOpenAI({ slowMs: 300 }), startFakeOpenAI({ apiKey: "sk-test" })]);
}, 20_000);

afterAll(async () => {
  await Promise.all([fake?.stop(), authed?.stop()]);
});

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

function post(path: string, body: unknown, headers: Record<string, string> = {}, target = fake) {
  return fetch(`${target.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const chat = (model: string, content: string, extra: Json = {}) => ({
  model,
  messages: [
    { role: "system", content: "You are helpful." },
    { role: "user", content },
  ],
  ...extra,
});

/** Parses an SSE body into its `data:` payloads (JSON, or the raw "[DONE]"). */
async function sse(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

describe("process lifecycle", () => {
  it("reports port/pid and serves on loopback", () => {
    expect(fake.port).toBeGreaterThan(0);
    expect(fake.pid).not.toBe(process.pid);
    expect(fake.baseUrl).toBe(`http://127.0.0.1:${fake.port}/v1`);
  });

  it("startProcess rejects with stderr when the script dies", async () => {
    await expect(startProcess("test/fakes/does-not-exist.ts")).rejects.toThrow(/exited before ready[\s\S]*stderr[\s\S]*does-not-exist/);
  });

  it("stop() terminates the process", async () => {
    const extra = await startFakeOpenAI();
    await extra.stop();
    expect(() => process.kill(extra.pid, 0)).toThrow();
    await extra.stop(); // idempotent
  });
});

describe("chat completions", () => {
  it("returns a chat.completion with deterministic content and usage", async () => {
    const res = await post("/chat/completions", chat("gpt-4o-mini", "hello there world"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = (await res.json()) as Json;
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.object).toBe("chat.completion");
    expect(typeof body.created).toBe("number");
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.choices).toHaveLength(1);
    expect(body.choices[0].message).toMatchObject({ role: "assistant", content: "echo: hello there world" });
    expect(body.choices[0].message.tool_calls).toBeUndefined();
    expect(body.choices[0].finish_reason).toBe("stop");
    // prompt: (3 words + 3) + (3 words + 3) = 12; completion: "echo:", " hello", " there", " world".
    expect(body.usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 4,
      total_tokens: 16,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it("concatenates text parts of the last user message", async () => {
    const res = await post("/chat/completions", {
      model: "fake-model",
      messages: [{ role: "user", content: [{ type: "text", text: "part one" }, { type: "text", text: " part two" }] }],
    });
    const body = (await res.json()) as Json;
    expect(body.choices[0].message.content).toBe("echo: part one part two");
  });

  it("honours max_tokens with finish_reason length", async () => {
    const body = (await (await post("/chat/completions", chat("fake-model", "a b c d e", { max_tokens: 2 }))).json()) as Json;
    expect(body.choices[0].message.content).toBe("echo: a");
    expect(body.choices[0].finish_reason).toBe("length");
    expect(body.usage.completion_tokens).toBe(2);
  });

  it("streams role, content deltas, finish, usage and [DONE]", async () => {
    const res = await post("/chat/completions", chat("gpt-4o-mini", "hello there world", { stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await sse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as Json[];
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    for (const c of chunks) expect(c.object).toBe("chat.completion.chunk");

    expect(chunks[0]!.choices[0].delta.role).toBe("assistant");
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    const content = chunks.slice(1, -2);
    expect(content).toHaveLength(4);
    expect(content.map((c) => c.choices[0].delta.content).join("")).toBe("echo: hello there world");
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
  });

  it("omits the usage chunk without include_usage and honours x-fake-chunks", async () => {
    const res = await post("/chat/completions", chat("fake-model", "hello there world", { stream: true }), { "x-fake-chunks": "3" });
    const chunks = (await sse(res)).slice(0, -1) as Json[];
    expect(chunks.every((c) => c.choices.length === 1 && !("usage" in c))).toBe(true);
    const content = chunks.slice(1, -1).map((c) => c.choices[0].delta.content);
    expect(content).toHaveLength(3);
    expect(content.join("")).toBe("echo: hello there world");
  });

  it("applies x-fake-chunk-delay-ms between chunks", async () => {
    const started = Date.now();
    await sse(await post("/chat/completions", chat("fake-model", "a b c d", { stream: true }), { "x-fake-chunk-delay-ms": "60" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 60 - 20); // 5 content chunks
  });

  it("returns a tool call (non-streaming)", async () => {
    const body = (await (await post("/chat/completions", chat("gpt-4o", "please call tool", { tools: [WEATHER_TOOL] }))).json()) as Json;
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls[0];
    expect(call.id).toMatch(/^call_/);
    expect(call.type).toBe("function");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
  });

  it("streams a tool call as deltas that assemble into valid JSON", async () => {
    const res = await post("/chat/completions", chat("gpt-4o", "please call tool", { tools: [WEATHER_TOOL], stream: true }));
    const chunks = (await sse(res)).slice(0, -1) as Json[];
    const deltas = chunks.map((c) => c.choices[0].delta);
    const first = deltas[0]!.tool_calls[0];
    expect(deltas[0]!.role).toBe("assistant");
    expect(first).toMatchObject({ index: 0, type: "function", function: { name: "get_weather", arguments: "" } });
    expect(first.id).toMatch(/^call_/);
    const argDeltas = deltas.slice(1, -1).map((d) => d.tool_calls[0]);
    expect(argDeltas.length).toBeGreaterThanOrEqual(2);
    for (const d of argDeltas) {
      expect(d.index).toBe(0);
      expect(d.id).toBeUndefined();
      expect(d.function.name).toBeUndefined();
    }
    const args = argDeltas.map((d) => d.function.arguments).join("");
    expect(JSON.parse(args)).toEqual({ city: "Paris" });
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe("tool_calls");
  });

  it("does not call tools unless asked", async () => {
    const body = (await (await post("/chat/completions", chat("gpt-4o", "just chat", { tools: [WEATHER_TOOL] }))).json()) as Json;
    expect(body.choices[0].finish_reason).toBe("stop");
    expect(body.choices[0].message.content).toBe("echo: just chat");
  });
});

describe("scripted failures", () => {
  const cases: Array<[string, number, Json]> = [
    ["fake-400", 400, { type: "invalid_request_error", param: "messages" }],
    ["fake-401", 401, { type: "invalid_request_error", code: "invalid_api_key" }],
    ["fake-403", 403, {}],
    ["fake-404", 404, { code: "model_not_found" }],
    ["fake-missing", 404, { code: "model_not_found" }],
    ["fake-429", 429, { code: "rate_limit_exceeded" }],
    ["fake-500", 500, { type: "server_error" }],
    ["fake-503", 503, { type: "server_error" }],
  ];
  it.each(cases)("%s → %i with an OpenAI error body", async (model, status, expected) => {
    const res = await post("/chat/completions", chat(model, "hi"));
    expect(res.status).toBe(status);
    const body = (await res.json()) as Json;
    expect(Object.keys(body)).toEqual(["error"]);
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(typeof body.error.message).toBe("string");
    expect(body.error).toMatchObject(expected);
    expect(res.headers.get("retry-after")).toBe(model === "fake-429" ? "7" : null);
  });

  it("fake-slow-first-byte delays the response by --slow-ms", async () => {
    const started = Date.now();
    const res = await post("/chat/completions", chat("fake-slow-first-byte", "hi"));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("fake-stream-error sends two chunks then an error event", async () => {
    const events = (await sse(await post("/chat/completions", chat("fake-stream-error", "hello there world", { stream: true })))) as Json[];
    expect(events).toHaveLength(3);
    expect(events[0]!.choices[0].delta.role).toBe("assistant");
    expect(events[1]!.choices[0].delta.content).toBe("echo:");
    expect(events[2]!.error).toMatchObject({ type: "server_error" });
  });

  it("fake-stall-stream sends one chunk then stalls until the client leaves", async () => {
    await fake.reset();
    const res = await post("/chat/completions", chat("fake-stall-stream", "hi", { stream: true }));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^data: .*"role":"assistant"/);
    const next = await Promise.race([reader.read().then(() => "data"), new Promise((r) => setTimeout(() => r("stalled"), 300))]);
    expect(next).toBe("stalled");
    await reader.cancel();
    const closed = await fake.waitForEvent((e) => e.type === "client-closed");
    expect(closed).toMatchObject({ model: "fake-stall-stream", afterChunks: 1 });
  });

  it("aborting fake-long-stream makes the fake see the connection close", async () => {
    await fake.reset();
    const ac = new AbortController();
    const res = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(chat("fake-long-stream", "hi", { stream: true })),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    let received = "";
    while ((received.match(/^data: /gm) ?? []).length < 3) received += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const closed = await fake.waitForEvent((e) => e.type === "client-closed");
    expect(closed).toMatchObject({ type: "client-closed", path: "/v1/chat/completions", model: "fake-long-stream" });
    expect(closed.type === "client-closed" && closed.afterChunks).toBeGreaterThanOrEqual(3);
    const requests = (await fake.events()).filter((e) => e.type === "request");
    expect(requests).toMatchObject([{ model: "fake-long-stream", stream: true }]);
  });
});

describe("embeddings", () => {
  it("returns deterministic float vectors", async () => {
    const res = await post("/embeddings", { model: "text-embedding-3-small", input: ["alpha", "beta gamma"] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ object: "list", model: "text-embedding-3-small", usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(body.data).toHaveLength(2);
    body.data.forEach((d: Json, i: number) => {
      expect(d).toMatchObject({ object: "embedding", index: i });
      expect(d.embedding).toHaveLength(8);
      expect(Math.hypot(...d.embedding)).toBeCloseTo(1, 5);
    });
    expect(body.data[0].embedding).not.toEqual(body.data[1].embedding);
    const again = (await (await post("/embeddings", { model: "text-embedding-3-small", input: "alpha" })).json()) as Json;
    expect(again.data[0].embedding).toEqual(body.data[0].embedding);
  });

  it("encodes base64 as little-endian float32", async () => {
    const floats = (await (await post("/embeddings", { model: "m", input: "alpha" })).json()) as Json;
    const b64 = (await (await post("/embeddings", { model: "m", input: "alpha", encoding_format: "base64" })).json()) as Json;
    const encoded = b64.data[0].embedding as string;
    expect(typeof encoded).toBe("string");
    const buf = Buffer.from(encoded, "base64");
    expect(buf.length).toBe(8 * 4);
    const decoded = Array.from({ length: 8 }, (_, i) => buf.readFloatLE(i * 4));
    expect(decoded).toEqual(floats.data[0].embedding);
  });

  it("accepts token arrays", async () => {
    const body = (await (await post("/embeddings", { model: "m", input: [[1, 2, 3], [4]] })).json()) as Json;
    expect(body.data).toHaveLength(2);
    expect(body.usage.prompt_tokens).toBe(4);
  });
});

describe("other endpoints and errors", () => {
  it("lists models", async () => {
    const res = await fetch(`${fake.baseUrl}/models`);
    const body = (await res.json()) as Json;
    expect(body.object).toBe("list");
    expect(body.data.length).toBeGreaterThan(1);
    for (const m of body.data) {
      expect(m).toEqual({ id: expect.any(String), object: "model", created: expect.any(Number), owned_by: expect.any(String) });
    }
  });

  it("rejects bad JSON with 400", async () => {
    const res = await post("/chat/completions", "{not json");
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: null, code: null });
  });

  it("rejects a missing messages field with 400", async () => {
    const res = await post("/chat/completions", { model: "fake-model" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error).toMatchObject({ param: "messages" });
  });

  it("404s unknown paths", async () => {
    const res = await post("/nope", {});
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).error.message).toBe("Invalid URL (POST /v1/nope)");
  });

  it("records selected request headers", async () => {
    await fake.reset();
    await (await post("/chat/completions", chat("fake-model", "hi"), {
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "x-request-id": "abc",
      "user-agent": "hoosh-test",
      authorization: "Bearer secret",
    })).arrayBuffer();
    const [event] = await fake.events();
    expect(event).toMatchObject({
      type: "request",
      path: "/v1/chat/completions",
      model: "fake-model",
      stream: false,
      headers: { authorization: true, "user-agent": "hoosh-test", "x-request-id": "abc", traceparent: expect.stringMatching(/^00-/) },
      body: { model: "fake-model" },
    });
    expect(JSON.stringify(event)).not.toContain("secret");
  });
});

describe("--api-key", () => {
  it.each([
    ["missing", {}],
    ["wrong", { authorization: "Bearer nope" }],
  ])("%s bearer → 401 invalid_api_key", async (_, headers) => {
    const res = await post("/chat/completions", chat("fake-model", "hi"), headers, authed);
    expect(res.status).toBe(401);
    expect((await res.json()) as Json).toEqual({
      error: { message: expect.any(String), type: "invalid_request_error", param: null, code: "invalid_api_key" },
    });
  });

  it("correct bearer → 200", async () => {
    const res = await post("/chat/completions", chat("fake-model", "hi"), { authorization: "Bearer sk-test" }, authed);
    expect(res.status).toBe(200);
  });
});
