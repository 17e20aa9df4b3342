// The fake Anthropic upstream itself, over plain fetch: it must hold hoosh to
// Anthropic's documented rules (headers, max_tokens, alternation, tool
// pairing, extra inputs) and speak its documented formats.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/spawn-anthropic.js";

const KEY = "sk-ant-fake-test";
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
}, 20_000);

afterAll(async () => {
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const HEADERS = { "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" };
type Json = Record<string, unknown>;

function post(body: Json, headers: Record<string, string> = HEADERS): Promise<Response> {
  return fetch(`${fake.baseUrl}/messages`, { method: "POST", headers, body: JSON.stringify(body) });
}
const get = (path: string, headers: Record<string, string> = HEADERS) => fetch(`${fake.baseUrl}${path}`, { headers });
const base = (extra: Json = {}): Json => ({ model: "claude-sonnet-4-20250514", max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...extra });

async function expectError(res: Response, status: number, type: string, message: string): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  expect(body).toMatchObject({ type: "error", error: { type, message } });
  expect(body.request_id).toBe(res.headers.get("request-id"));
  expect(body.request_id).toMatch(/^req_011/);
}

describe("headers", () => {
  it("x-api-key is required and checked", async () => {
    await expectError(await post(base(), { "anthropic-version": "2023-06-01" }), 401, "authentication_error", "x-api-key header is required");
    await expectError(await post(base(), { ...HEADERS, "x-api-key": "nope" }), 401, "authentication_error", "invalid x-api-key");
  });

  it("anthropic-version is required", async () => {
    await expectError(await post(base(), { "x-api-key": KEY }), 400, "invalid_request_error", "anthropic-version: header is required");
    await expectError(await get("/models", { "x-api-key": KEY }), 400, "invalid_request_error", "anthropic-version: header is required");
  });
});

describe("request validation", () => {
  const assistantToolUse = { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "f", input: {} }] };
  const tools = [{ name: "f", input_schema: { type: "object" } }];
  it.each([
    ["no max_tokens", { max_tokens: undefined }, "max_tokens: Field required"],
    ["an OpenAI field", { response_format: { type: "json_object" } }, "response_format: Extra inputs are not permitted"],
    ["temperature > 1", { temperature: 1.5 }, "temperature: Input should be less than or equal to 1"],
    ["a system role message", { messages: [{ role: "system", content: "x" }] }, "messages.0.role: Input should be 'user' or 'assistant'"],
    ["two user turns in a row", { messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }] }, 'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row'],
    ["an empty text block", { messages: [{ role: "user", content: [{ type: "text", text: "" }] }] }, "messages: text content blocks must be non-empty"],
    ["tool blocks without tools", { messages: [{ role: "user", content: "a" }, assistantToolUse] }, "Requests which include `tool_use` or `tool_result` blocks must define tools."],
    ["tool_choice without tools", { tool_choice: { type: "auto" } }, "tool_choice: tool_choice may only be specified while providing tools."],
  ])("%s -> 400", async (_name, extra, message) => {
    await expectError(await post(base(extra)), 400, "invalid_request_error", message);
  });

  it("tool_use needs tool_result blocks right after, first in the user turn, with known ids", async () => {
    const q = { role: "user", content: "q" };
    const result = (id: string) => ({ type: "tool_result", tool_use_id: id, content: "ok" });
    const missing = await post(base({ tools, messages: [q, assistantToolUse, { role: "user", content: "next" }] }));
    await expectError(missing, 400, "invalid_request_error", "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
    const stray = await post(base({ tools, messages: [q, assistantToolUse, { role: "user", content: [result("toolu_1"), result("toolu_x")] }] }));
    expect(((await stray.json()) as { error: { message: string } }).error.message).toContain("unexpected `tool_use_id` found in `tool_result` blocks: toolu_x");
    const order = await post(base({ tools, messages: [q, assistantToolUse, { role: "user", content: [{ type: "text", text: "x" }, result("toolu_1")] }] }));
    expect(order.status).toBe(400);
    const ok = await post(base({ tools, messages: [q, assistantToolUse, { role: "user", content: [result("toolu_1"), { type: "text", text: "go on" }] }] }));
    expect(ok.status).toBe(200);
  });
});

describe("answers", () => {
  it("a whole message with usage (cache read via x-fake-cache-read)", async () => {
    const res = await post(base({ system: "Be nice.", messages: [{ role: "user", content: "hello there" }] }), { ...HEADERS, "x-fake-cache-read": "2" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-20250514",
      content: [{ type: "text", text: "echo: hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 5, cache_read_input_tokens: 2, cache_creation_input_tokens: 0, output_tokens: 3 },
    });
  });

  it("a stream: named events in Anthropic's order, event name = data type", async () => {
    const res = await post(base({ stream: true, messages: [{ role: "user", content: "a b" }] }));
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const frames = (await res.text()).trim().split("\n\n").map((f) => {
      const [event, data] = f.split("\n");
      return { event: event!.replace("event: ", ""), data: JSON.parse(data!.replace("data: ", "")) as Json };
    });
    for (const f of frames) expect(f.data.type).toBe(f.event);
    expect(frames.map((f) => f.event)).toEqual([
      "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
    ]);
    expect(frames.at(-2)!.data).toEqual({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } });
  });

  it("scripted 429 and 529 carry Anthropic's error types (429 with retry-after)", async () => {
    const limited = await post(base({ model: "fake-429" }));
    expect(limited.headers.get("retry-after")).toBe("7");
    await expectError(limited, 429, "rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute.");
    await expectError(await post(base({ model: "fake-529" })), 529, "overloaded_error", "Overloaded");
  });
});

describe("models and observability", () => {
  it("pages forwards and backwards; one model by id; 404 for unknown ids and paths", async () => {
    const page = (await (await get("/models?limit=2&after_id=claude-opus-4-1-20250805")).json()) as Json;
    expect(page).toMatchObject({ has_more: true, first_id: "claude-opus-4-20250514", last_id: "claude-sonnet-4-20250514" });
    const back = (await (await get("/models?limit=2&before_id=claude-sonnet-4-20250514")).json()) as Json;
    expect(back).toMatchObject({ has_more: false, first_id: "claude-opus-4-1-20250805", last_id: "claude-opus-4-20250514" });
    expect(await (await get("/models/fake-model")).json()).toEqual({ type: "model", id: "fake-model", display_name: "Fake Model", created_at: "2024-01-01T00:00:00Z" });
    await expectError(await get("/models/nope"), 404, "not_found_error", "model: nope");
    await expectError(await get("/complete"), 404, "not_found_error", "Not Found");
  });

  it("records requests (never the key) and client-closed events with timestamps", async () => {
    const before = Date.now();
    const abort = new AbortController();
    const res = await fetch(`${fake.baseUrl}/messages`, { method: "POST", headers: HEADERS, body: JSON.stringify(base({ model: "fake-long-stream", stream: true })), signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    const closed = await fake.waitForEvent((e) => e.type === "client-closed");
    const [request] = await fake.events();
    expect(request).toMatchObject({ type: "request", path: "/v1/messages", model: "fake-long-stream", stream: true, headers: { "x-api-key": true, "anthropic-version": "2023-06-01" } });
    expect(JSON.stringify(request)).not.toContain(KEY);
    expect(request!.at).toBeGreaterThanOrEqual(before);
    expect(closed.at).toBeGreaterThanOrEqual(request!.at);
    expect(closed.at - Date.now()).toBeLessThan(1);
  });
});
