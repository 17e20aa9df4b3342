// In-process hoosh with only the Anthropic edge in front of a fake OpenAI
// upstream process, plus an Anthropic SDK client pointed at it.
import Anthropic from "@anthropic-ai/sdk";
import { buildApp, type App } from "../../server/app.js";
import { parseConfig } from "../../server/config/index.js";
import { listen, type Listener } from "../../server/listen.js";
import { createRpcHandler } from "../../server/rpc-handler.js";
import { createAnthropicRest } from "../../server/rest/anthropic/index.js";
import { chain } from "../../server/rest/handler.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI, type FakeRequestEvent } from "../fakes/spawn.js";

export const MAX_BODY_BYTES = 64 * 1024;

export interface AnthropicEnv {
  fake: FakeOpenAI;
  app: App;
  listener: Listener;
  /** "http://127.0.0.1:PORT" */
  url: string;
  client: Anthropic;
  close(): Promise<void>;
}

/** Models matching these patterns route to the fake; anything else is unroutable (404). */
const MODELS = `["gpt-*", "fake-*", "claude-*"]`;

export async function startAnthropicEnv(): Promise<AnthropicEnv> {
  const fake = await startFakeOpenAI();
  const config = parseConfig(
    `
[server]
bind = "127.0.0.1"
max_body_bytes = ${MAX_BODY_BYTES}

[router]
fallback = false

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ${MODELS}
timeouts = { connect_ms = 1000, first_byte_ms = 2000, idle_ms = 2000 }
# Error tests fail on purpose many times in a row: keep the circuit breaker closed.
breaker = { failures = 1000 }
`,
    { source: "anthropic-test", env: {} },
  );
  const app = await buildApp(config, { source: "anthropic-test" });
  const handler = createRpcHandler({
    routes: app.routes,
    fallback: chain([createAnthropicRest(app.restDeps)], notFoundFallback),
    readMaxBytes: MAX_BODY_BYTES,
  });
  const listener = await listen(handler, "127.0.0.1", 0);
  const url = `http://127.0.0.1:${listener.port}`;
  const client = new Anthropic({ baseURL: url, apiKey: "test-key", maxRetries: 0 });
  return {
    fake,
    app,
    listener,
    url,
    client,
    async close() {
      await listener.close(0);
      await app.close();
      await fake.stop();
    },
  };
}

/** The fake's recorded chat-completions requests, newest last. */
export async function chatRequests(fake: FakeOpenAI): Promise<FakeRequestEvent[]> {
  return (await fake.events()).filter((e): e is FakeRequestEvent => e.type === "request" && e.path === "/v1/chat/completions");
}

/** POST JSON (or raw text) with plain fetch. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
