// Malformed requests with plain fetch: each gets the right status and an
// Anthropic error naming the problem, and the server keeps serving.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, post, startAnthropicEnv, type AnthropicEnv } from "./anthropic-harness.js";

let env: AnthropicEnv;
beforeAll(async () => {
  env = await startAnthropicEnv();
});
afterAll(async () => {
  await env?.close();
});

const user = (content: unknown) => ({ role: "user", content });
const valid = { model: "gpt-4o-mini", max_tokens: 10, messages: [user("hi")] };
const TOOL = { name: "get_weather", input_schema: { type: "object", properties: {} } };

interface Case {
  name: string;
  body: unknown;
  status: number;
  type: string;
  message: string | RegExp;
  path?: string;
  headers?: Record<string, string>;
}

/** A tool whose input_schema nests `depth` objects: valid JSON, too deep to walk recursively. */
const deepToolBody = (depth: number, extra: string) =>
  `{"model":"gpt-4o-mini",${extra}"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"t","input_schema":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}]}`;

const CASES: Case[] = [
  { name: "body nested 8000 deep", body: deepToolBody(8_000, '"max_tokens":1,'), status: 400, type: "invalid_request_error", message: "request body nests objects and arrays more than 128 levels deep" },
  { name: "count_tokens, body nested 8000 deep", path: "/v1/messages/count_tokens", body: deepToolBody(8_000, ""), status: 400, type: "invalid_request_error", message: "request body nests objects and arrays more than 128 levels deep" },
  { name: "bad JSON", body: '{"model": "gpt-4o-mini",', status: 400, type: "invalid_request_error", message: "request body is not valid JSON" },
  { name: "empty body", body: "", status: 400, type: "invalid_request_error", message: "request body is empty" },
  { name: "body not an object", body: "[1,2]", status: 400, type: "invalid_request_error", message: "(body): [1,2] is not a JSON object" },
  { name: "model of the wrong type", body: { ...valid, model: 42 }, status: 400, type: "invalid_request_error", message: "model: 42 is not a string" },
  { name: "missing model", body: { ...valid, model: undefined }, status: 400, type: "invalid_request_error", message: "model: is required" },
  { name: "empty messages", body: { ...valid, messages: [] }, status: 400, type: "invalid_request_error", message: "messages: is empty" },
  { name: "messages not an array", body: { ...valid, messages: "hi" }, status: 400, type: "invalid_request_error", message: 'messages: "hi" is not an array' },
  { name: "missing max_tokens", body: { ...valid, max_tokens: undefined }, status: 400, type: "invalid_request_error", message: "max_tokens: is required" },
  { name: "max_tokens as a string", body: { ...valid, max_tokens: "100" }, status: 400, type: "invalid_request_error", message: 'max_tokens: "100" is not an integer' },
  { name: "max_tokens zero", body: { ...valid, max_tokens: 0 }, status: 400, type: "invalid_request_error", message: "max_tokens: 0 is out of range" },
  { name: "temperature out of range", body: { ...valid, temperature: 1.5 }, status: 400, type: "invalid_request_error", message: "temperature: 1.5 is out of range; allowed: 0..1" },
  { name: "stream not a boolean", body: { ...valid, stream: "yes" }, status: 400, type: "invalid_request_error", message: 'stream: "yes" is not a boolean' },
  { name: "system role in messages", body: { ...valid, messages: [{ role: "system", content: "x" }] }, status: 400, type: "invalid_request_error", message: /^messages\[0\]\.role: "system" is not allowed.*top-level "system"/ },
  { name: "unknown block type", body: { ...valid, messages: [user([{ type: "document", source: {} }])] }, status: 400, type: "invalid_request_error", message: 'messages[0].content[0].type: "document" is not supported here; use one of: text, image, tool_result' },
  { name: "text block without text", body: { ...valid, messages: [user([{ type: "text" }])] }, status: 400, type: "invalid_request_error", message: "messages[0].content[0].text: (unset) is not a string" },
  { name: "bad image base64", body: { ...valid, messages: [user([{ type: "image", source: { type: "base64", media_type: "image/png", data: "@@@" } }])] }, status: 400, type: "invalid_request_error", message: "messages[0].content[0].source.data: is not valid base64" },
  { name: "image media type", body: { ...valid, messages: [user([{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "AAAA" } }])] }, status: 400, type: "invalid_request_error", message: 'messages[0].content[0].source.media_type: "image/bmp" is not one of' },
  {
    name: "tool_result without a matching tool_use",
    body: { ...valid, messages: [user("hi"), { role: "assistant", content: "hello" }, user([{ type: "tool_result", tool_use_id: "toolu_x", content: "42" }])] },
    status: 400,
    type: "invalid_request_error",
    message: 'messages[2].content[0].tool_use_id: "toolu_x" does not match a tool_use block in the previous message (messages[1]) (it has none)',
  },
  { name: "tool_use input not an object", body: { ...valid, messages: [user("hi"), { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: "x" }] }] }, status: 400, type: "invalid_request_error", message: 'messages[1].content[0].input: "x" is not an object' },
  { name: "tool without input_schema", body: { ...valid, tools: [{ name: "get_weather" }] }, status: 400, type: "invalid_request_error", message: "tools[0].input_schema: is required" },
  { name: "tool_choice naming an unknown tool", body: { ...valid, tools: [TOOL], tool_choice: { type: "tool", name: "nope" } }, status: 400, type: "invalid_request_error", message: 'tool_choice.name: "nope" is not one of the tools: get_weather' },
  { name: "tool_choice of an unknown type", body: { ...valid, tool_choice: { type: "sometimes" } }, status: 400, type: "invalid_request_error", message: 'tool_choice.type: "sometimes" is not supported here; use one of: auto, any, tool, none' },
  { name: "too many stop sequences", body: { ...valid, stop_sequences: ["a", "b", "c", "d", "e"] }, status: 400, type: "invalid_request_error", message: "stop_sequences: has 5 sequences; at most 4 are allowed" },
  { name: "oversized body", body: { ...valid, messages: [user("x".repeat(MAX_BODY_BYTES + 10))] }, status: 413, type: "request_too_large", message: `larger than the ${MAX_BODY_BYTES} bytes allowed` },
  { name: "wrong content type", body: JSON.stringify(valid), headers: { "content-type": "text/plain" }, status: 415, type: "invalid_request_error", message: 'content-type "text/plain" is not supported; send application/json' },
  { name: "count_tokens with empty messages", path: "/v1/messages/count_tokens", body: { model: "gpt-4o-mini", messages: [] }, status: 400, type: "invalid_request_error", message: "messages: is empty" },
  { name: "count_tokens without model", path: "/v1/messages/count_tokens", body: { messages: [user("hi")] }, status: 400, type: "invalid_request_error", message: "model: is required" },
  { name: "unknown /v1/messages sub-path", path: "/v1/messages/batches", body: valid, status: 404, type: "not_found_error", message: "unknown path: POST /v1/messages/batches" },
];

describe("malformed requests", () => {
  it.each(CASES)("$name → $status", async (c) => {
    const res = await post(`${env.url}${c.path ?? "/v1/messages"}`, c.body, c.headers);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(res.status, JSON.stringify(body)).toBe(c.status);
    expect(body.type).toBe("error");
    expect(body.error.type).toBe(c.type);
    if (typeof c.message === "string") expect(body.error.message).toContain(c.message);
    else expect(body.error.message).toMatch(c.message);
    expect(res.headers.get("request-id")).toBeTruthy();
  });

  it("wrong method → 405 with allow: POST", async () => {
    const res = await fetch(`${env.url}/v1/messages`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(((await res.json()) as any).error.message).toContain("method GET is not allowed on /v1/messages");
  });

  it("leaves other paths to the next edge", async () => {
    const res = await post(`${env.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [user("hi")] });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "no route for POST /v1/chat/completions" } });
  });

  it("keeps serving after all of them", async () => {
    const res = await post(`${env.url}/v1/messages`, valid);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).content).toEqual([{ type: "text", text: "echo: hi" }]);
  });
});
