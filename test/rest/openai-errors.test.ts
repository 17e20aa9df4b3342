// Errors in OpenAI's shape: upstream failures raise the SDK's typed errors,
// and malformed requests (plain fetch) get the right status and a message
// naming the problem, without hurting the server.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOpenAIError, MAX_BODY_BYTES, post, startOpenAIEnv, type OpenAIEnv } from "./openai-harness.js";

let env: OpenAIEnv;
beforeAll(async () => {
  env = await startOpenAIEnv();
});
afterAll(async () => {
  await env?.close();
});

const chat = (model: string) => env.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);

describe("upstream and routing failures as the SDK's typed errors", () => {
  it("raises AuthenticationError for an upstream 401", async () => {
    const err = await chat("fake-401");
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("raises PermissionDeniedError for an upstream 403", async () => {
    expect(await chat("fake-403")).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it("raises NotFoundError (model_not_found) for an upstream 404 and for an unroutable model", async () => {
    const upstream = (await chat("fake-404")) as InstanceType<typeof OpenAI.NotFoundError>;
    expect(upstream).toBeInstanceOf(OpenAI.NotFoundError);
    expect(upstream.code).toBe("model_not_found");
    const unroutable = (await chat("llama-3-unrouted")) as InstanceType<typeof OpenAI.NotFoundError>;
    expect(unroutable).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unroutable.code).toBe("model_not_found");
    expect(unroutable.param).toBe("model");
    expect(unroutable.message).toMatch(/llama-3-unrouted/);
  });

  it("raises RateLimitError with the upstream's Retry-After for an upstream 429", async () => {
    const err = (await chat("fake-429")) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers?.get("retry-after")).toBe("7");
    expect(err.headers?.get("x-hoosh-provider")).toBe("fake");
  });

  it("raises InternalServerError (503) for an upstream 5xx", async () => {
    const err = (await chat("fake-500")) as InstanceType<typeof OpenAI.InternalServerError>;
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(503);
  });

  it("answers 504 (code timeout) when the upstream does not answer in time", async () => {
    const res = await post(`${env.url}/v1/chat/completions`, { model: "fake-slow-first-byte", messages: [{ role: "user", content: "x" }] });
    const error = await expectOpenAIError(res, 504, /timed out/);
    expect(error).toMatchObject({ type: "server_error", code: "timeout" });
  });

  it("raises BadRequestError naming the OpenAI field for a bad value", async () => {
    const err = (await env.client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], temperature: 5 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe("temperature");
    expect(err.message).toMatch(/temperature: 5 is out of range; allowed: 0\.\.2/);
  });
});

type Case = [name: string, path: string, body: unknown, status: number, message: RegExp, param?: string];

const msgs = [{ role: "user", content: "hi" }];
const CHAT = "/v1/chat/completions";
const EMBED = "/v1/embeddings";
const CASES: Case[] = [
  ["body nested 8000 deep", CHAT, `{"model":"gpt-4o-mini","messages":${"[".repeat(8_000)}${"]".repeat(8_000)}}`, 400, /^request body nests objects and arrays more than 128 levels deep/],
  ["bad JSON", CHAT, '{"model": "gpt-4o-mini", "messages": [', 400, /request body is not valid JSON/],
  ["empty body", CHAT, "", 400, /request body is empty/],
  ["a JSON array body", CHAT, [], 400, /expected a JSON object, got an array/],
  ["model of the wrong type", CHAT, { model: 7, messages: msgs }, 400, /^model: expected a string, got a number \(7\)/, "model"],
  ["missing model", CHAT, { messages: msgs }, 400, /^model: is required/, "model"],
  ["messages not an array", CHAT, { model: "gpt-4o-mini", messages: "hi" }, 400, /^messages: expected an array of messages, got a string/, "messages"],
  ["empty messages", CHAT, { model: "gpt-4o-mini", messages: [] }, 400, /^messages: is empty/, "messages"],
  ["unknown role", CHAT, { model: "gpt-4o-mini", messages: [{ role: "robot", content: "x" }] }, 400, /^messages\[0\]\.role: "robot" is not one of: system, developer/, "messages[0].role"],
  ["content of the wrong type", CHAT, { model: "gpt-4o-mini", messages: [{ role: "user", content: 42 }] }, 400, /^messages\[0\]\.content: expected a string, an array of content parts or null/, "messages[0].content"],
  ["unknown content part", CHAT, { model: "gpt-4o-mini", messages: [{ role: "user", content: [{ type: "video", video: {} }] }] }, 400, /^messages\[0\]\.content\[0\]\.type: "video" is not supported/],
  ["image URL the core refuses", CHAT, { model: "gpt-4o", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }] }] }, 400, /^messages\[0\]\.content\[0\]\.image_url\.url: "ftp:\/\/x\/y\.png" is not allowed/, "messages[0].content[0].image_url.url"],
  ["tool message without tool_call_id", CHAT, { model: "gpt-4o-mini", messages: [{ role: "tool", content: "x" }] }, 400, /^messages\[0\]\.tool_call_id: is required/, "messages[0].tool_call_id"],
  ["temperature of the wrong type", CHAT, { model: "gpt-4o-mini", messages: msgs, temperature: "hot" }, 400, /^temperature: expected a number, got a string \("hot"\)/, "temperature"],
  ["top_p out of range", CHAT, { model: "gpt-4o-mini", messages: msgs, top_p: 1.5 }, 400, /^top_p: 1\.5 is out of range/, "top_p"],
  ["max_tokens 0", CHAT, { model: "gpt-4o-mini", messages: msgs, max_tokens: 0 }, 400, /^max_tokens: 0 is out of range/, "max_tokens"],
  ["stop of the wrong type", CHAT, { model: "gpt-4o-mini", messages: msgs, stop: 5 }, 400, /^stop: expected a string or an array of strings/, "stop"],
  ["n=2", CHAT, { model: "gpt-4o-mini", messages: msgs, n: 2 }, 400, /^n: 2 is not supported/, "n"],
  ["top_logprobs out of range", CHAT, { model: "gpt-4o-mini", messages: msgs, logprobs: true, top_logprobs: 21 }, 400, /^top_logprobs: 21 is out of range; allowed: 0\.\.20/, "top_logprobs"],
  ["tool without function", CHAT, { model: "gpt-4o-mini", messages: msgs, tools: [{ type: "function" }] }, 400, /^tools\[0\]\.function: is required/, "tools[0].function"],
  ["bad tool name (core)", CHAT, { model: "gpt-4o-mini", messages: msgs, tools: [{ type: "function", function: { name: "has space" } }] }, 400, /^tools\[0\]\.function\.name: "has space" must match/, "tools[0].function.name"],
  ["unknown tool_choice", CHAT, { model: "gpt-4o-mini", messages: msgs, tool_choice: "sometimes" }, 400, /^tool_choice: "sometimes" is not one of/, "tool_choice"],
  ["unknown response_format type", CHAT, { model: "gpt-4o-mini", messages: msgs, response_format: { type: "xml" } }, 400, /^response_format\.type: "xml" is not one of: text, json_object, json_schema/, "response_format.type"],
  ["json_schema without schema", CHAT, { model: "gpt-4o-mini", messages: msgs, response_format: { type: "json_schema", json_schema: { name: "x" } } }, 400, /^response_format\.json_schema\.schema: is required/],
  ["stream of the wrong type", CHAT, { model: "gpt-4o-mini", messages: msgs, stream: "yes" }, 400, /^stream: expected a boolean/, "stream"],
  ["metadata with a number", CHAT, { model: "gpt-4o-mini", messages: msgs, metadata: { team: 1 } }, 400, /^metadata\.team: expected a string/],
  ["unroutable model", CHAT, { model: "mystery-model", messages: msgs }, 404, /no provider serves model "mystery-model"/, "model"],
  ["embeddings input of the wrong type", EMBED, { model: "text-embedding-3-small", input: { text: "x" } }, 400, /^input: expected a string or an array of strings, got an object/, "input"],
  ["embeddings empty input (core)", EMBED, { model: "text-embedding-3-small", input: [] }, 400, /^input: is empty/, "input"],
  ["embeddings bad encoding_format", EMBED, { model: "text-embedding-3-small", input: "x", encoding_format: "int8" }, 400, /^encoding_format: "int8" is not one of: float, base64/, "encoding_format"],
  ["embeddings dimensions 0", EMBED, { model: "text-embedding-3-small", input: "x", dimensions: 0 }, 400, /^dimensions: 0 is out of range/, "dimensions"],
];

describe("malformed requests", () => {
  it.each(CASES)("%s → %s %i", async (_name, path, body, status, message, param) => {
    const error = await expectOpenAIError(await post(`${env.url}${path}`, body), status, message);
    if (param !== undefined) expect(error.param).toBe(param);
    expect(error.type).toBe("invalid_request_error");
  });

  it("answers 400 for a JSON body that is not valid UTF-8 (never silently replaced)", async () => {
    const bytes = Buffer.concat([Buffer.from('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]);
    const res = await fetch(`${env.url}${CHAT}`, { method: "POST", headers: { "content-type": "application/json" }, body: bytes });
    await expectOpenAIError(res, 400, /request body is not valid UTF-8/);
  });

  it("answers 415 for a body that is not JSON", async () => {
    await expectOpenAIError(await post(`${env.url}${CHAT}`, "model=gpt-4o-mini", { "content-type": "application/x-www-form-urlencoded" }), 415, /content-type "application\/x-www-form-urlencoded" is not supported; send application\/json/);
  });

  it("answers 413 for a body over max_body_bytes (declared length), without reading it all", async () => {
    const big = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(MAX_BODY_BYTES * 2) }] });
    await expectOpenAIError(await post(`${env.url}${CHAT}`, big), 413, new RegExp(`larger than the ${MAX_BODY_BYTES} bytes allowed`));
  });

  it("answers 413 for a chunked body that grows over max_body_bytes", async () => {
    const piece = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 16) controller.enqueue(piece);
        else controller.close();
      },
    });
    const res = await fetch(`${env.url}${CHAT}`, { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    await expectOpenAIError(res, 413, /larger than/);
  });

  it("answers an OpenAI-shaped 404 for an unknown /v1 path and 405 for a wrong method", async () => {
    const unknown = await expectOpenAIError(await fetch(`${env.url}/v1/completions/legacy`), 404, /unknown path: GET \/v1\/completions\/legacy/);
    expect(unknown.code).toBe("unknown_url");
    const wrong = await fetch(`${env.url}${CHAT}`);
    expect(wrong.headers.get("allow")).toBe("POST");
    await expectOpenAIError(wrong, 405, /method GET is not allowed on \/v1\/chat\/completions; use POST/);
    await expectOpenAIError(await post(`${env.url}/v1/models`, {}), 405, /use GET/);
  });

  it("still serves after all of that", async () => {
    const res = await env.client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "alive?" }] });
    expect(res.choices[0]!.message.content).toBe("echo: alive?");
    expect((await env.client.models.list()).data.length).toBeGreaterThan(0);
  });
});
