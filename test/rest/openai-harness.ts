// In-process hoosh with the OpenAI edge (and the OpenAI-shaped /v1 404) in
// front of a fake OpenAI upstream process, plus the official OpenAI SDK
// pointed at it. Shared by test/rest/openai-*.test.ts.
import OpenAI from "openai";
import { expect } from "vitest";
import { buildApp, type App } from "../../server/app.js";
import { parseConfig } from "../../server/config/index.js";
import { listen, type Listener } from "../../server/listen.js";
import { createRpcHandler } from "../../server/rpc-handler.js";
import { chain } from "../../server/rest/handler.js";
import { createOpenAINotFound, createOpenAIRest } from "../../server/rest/openai/index.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI, type FakeRequestEvent } from "../fakes/spawn.js";

export const MAX_BODY_BYTES = 64 * 1024;

export interface OpenAIEnv {
  fake: FakeOpenAI;
  app: App;
  listener: Listener;
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  client: OpenAI;
  close(): Promise<void>;
}

/** Models matching these patterns route to the fake; anything else is unroutable (404). */
const MODELS = `["gpt-*", "fake-*", "text-embedding-*", "whisper-*", "tts-*", "acme/*"]`;

export async function startOpenAIEnv(): Promise<OpenAIEnv> {
  const fake = await startFakeOpenAI();
  const config = parseConfig(
    `
[server]
bind = "127.0.0.1"
max_body_bytes = ${MAX_BODY_BYTES}

[router]
fallback = false
max_attempts = 1

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ${MODELS}
timeouts = { connect_ms = 1000, first_byte_ms = 2000, idle_ms = 2000 }
`,
    { source: "openai-rest-test", env: {} },
  );
  const app = await buildApp(config, { source: "openai-rest-test" });
  const handler = createRpcHandler({
    routes: app.routes,
    fallback: chain([createOpenAIRest(app.restDeps), createOpenAINotFound(app.restDeps)], notFoundFallback),
    readMaxBytes: MAX_BODY_BYTES,
  });
  const listener = await listen(handler, "127.0.0.1", 0);
  const url = `http://127.0.0.1:${listener.port}`;
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "test-key", maxRetries: 0, timeout: 20_000 });
  return {
    fake,
    app,
    listener,
    url,
    port: listener.port,
    client,
    async close() {
      await listener.close(0);
      await app.close();
      await fake.stop();
    },
  };
}

/** The fake's recorded requests to one path, oldest first. */
export async function upstreamRequests(fake: FakeOpenAI, path: string): Promise<FakeRequestEvent[]> {
  return (await fake.events()).filter((e): e is FakeRequestEvent => e.type === "request" && e.path === path);
}

/** POST with plain fetch: JSON for objects, raw text for strings. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Asserts an OpenAI-shaped error response; returns its error object. */
export async function expectOpenAIError(res: Response, status: number, mentions: string | RegExp) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("x-request-id")).toBeTruthy();
  const body = JSON.parse(text) as { error: { message: string; type: string; param: string | null; code: string | null } };
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.message).toMatch(mentions);
  return body.error;
}

/** A 440 Hz tone as a 16-bit mono PCM WAV file. */
export function toneWav(seconds: number, sampleRateHz = 16_000): Buffer {
  const frames = Math.round(seconds * sampleRateHz);
  const out = Buffer.alloc(44 + frames * 2);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + frames * 2, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRateHz, 24);
  out.writeUInt32LE(sampleRateHz * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(frames * 2, 40);
  for (let i = 0; i < frames; i++) out.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRateHz) * 8000), 44 + i * 2);
  return out;
}
