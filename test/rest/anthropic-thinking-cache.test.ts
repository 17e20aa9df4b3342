// The Anthropic SDK through hoosh's Anthropic edge to a provider of type "anthropic" (the fake
// Anthropic upstream): extended thinking comes back as signed thinking blocks (complete and
// streamed) and goes back upstream with a tool result; cache_control on system, tools and blocks
// reaches the upstream; cache creation/read tokens come back in usage and are priced; unknown
// request fields are named in x-hoosh-ignored-params.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildApp, type App } from "../../server/app.js";
import { parseConfig } from "../../server/config/index.js";
import { PriceTable } from "../../server/core/accounting/pricing.js";
import { costMicros } from "../../server/core/accounting/cost.js";
import { listen, type Listener } from "../../server/listen.js";
import { createRpcHandler } from "../../server/rpc-handler.js";
import { createAnthropicRest } from "../../server/rest/anthropic/index.js";
import { chain } from "../../server/rest/handler.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicRequestEvent } from "../fakes/spawn-anthropic.js";

let fake: FakeAnthropic;
let app: App;
let listener: Listener;
let client: Anthropic;
let url: string;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: "sk-ant-thinking" });
  const config = parseConfig(
    `
[server]
bind = "127.0.0.1"

[[providers]]
name = "claude"
type = "anthropic"
base_url = "${fake.baseUrl}"
api_key = "sk-ant-thinking"
models = ["claude-*"]
headers = { "x-fake-thinking" = "weigh the options", "x-fake-cache-creation" = "4" }
`,
    { source: "anthropic-thinking-test", env: {} },
  );
  app = await buildApp(config, { source: "anthropic-thinking-test" });
  const handler = createRpcHandler({ routes: app.routes, fallback: chain([createAnthropicRest(app.restDeps)], notFoundFallback), readMaxBytes: 1 << 20 });
  listener = await listen(handler, "127.0.0.1", 0);
  url = `http://127.0.0.1:${listener.port}`;
  client = new Anthropic({ baseURL: url, apiKey: "unused", maxRetries: 0 });
}, 30_000);

afterAll(async () => {
  await listener?.close(0);
  await app?.close();
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const MODEL = "claude-sonnet-4-5";
const WEATHER = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
};

async function lastRequest(): Promise<Record<string, any>> {
  const requests = (await fake.events()).filter((e): e is FakeAnthropicRequestEvent => e.type === "request" && e.path.endsWith("/messages"));
  return requests.at(-1)!.body as Record<string, any>;
}

describe("extended thinking", () => {
  it("answers a signed thinking block before the text, and sends thinking upstream", async () => {
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(msg.content[0]).toMatchObject({ type: "thinking", thinking: "weigh the options", signature: expect.stringMatching(/^sig_/) });
    expect(msg.content[1]).toMatchObject({ type: "text", text: "echo: hello there" });
    expect((await lastRequest()).thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });

  it("streams the thinking block (thinking_delta, then signature_delta) and the SDK assembles it", async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 }, messages: [{ role: "user", content: "a b" }] });
    const kinds: string[] = [];
    stream.on("streamEvent", (ev) => {
      if (ev.type === "content_block_delta") kinds.push(ev.delta.type);
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "thinking", thinking: "weigh the options", signature: expect.stringMatching(/^sig_/) });
    expect(final.content[1]).toMatchObject({ type: "text", text: "echo: a b" });
    expect(kinds.indexOf("signature_delta")).toBeGreaterThan(kinds.indexOf("thinking_delta"));
    expect(kinds.indexOf("text_delta")).toBeGreaterThan(kinds.indexOf("signature_delta"));
  });

  it("hands the signed thinking block back upstream with the tool result", async () => {
    const first = await client.messages.create({
      model: MODEL,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      tools: [WEATHER],
      messages: [{ role: "user", content: "call tool get_weather for Paris" }],
    });
    const use = first.content.find((b) => b.type === "tool_use")!;
    const thinking = first.content.find((b) => b.type === "thinking")!;
    expect(use).toBeDefined();
    await client.messages.create({
      model: MODEL,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      tools: [WEATHER],
      messages: [
        { role: "user", content: "call tool get_weather for Paris" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny" }] },
      ],
    });
    const sent = await lastRequest();
    expect(sent.messages[1].content[0]).toEqual({ type: "thinking", thinking: thinking.thinking, signature: thinking.signature });
  });
});

describe("prompt caching", () => {
  it("cache_control on system, tools and blocks reaches the upstream; cache writes come back in usage", async () => {
    const res = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      system: [{ type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } }],
      tools: [{ ...WEATHER, cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [{ role: "user", content: [{ type: "text", text: "long shared context", cache_control: { type: "ephemeral" } }, { type: "text", text: "question" }] }],
    });
    const sent = await lastRequest();
    expect(sent.system).toEqual([{ type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } }]);
    expect(sent.tools[0].cache_control).toEqual({ type: "ephemeral", ttl: "1h" });
    expect(sent.messages[0].content).toEqual([
      { type: "text", text: "long shared context", cache_control: { type: "ephemeral" } },
      { type: "text", text: "question" },
    ]);
    expect(res.usage.cache_creation_input_tokens).toBe(4);
    expect(res.usage.cache_read_input_tokens).toBe(0);
  });

  it("refuses a malformed cache_control naming its path", async () => {
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "forever" } }] }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^messages\[0\]\.content\[0\]\.cache_control\.type: "forever" is not allowed/);
  });

  it("cache writes are priced at the model's cache-write rate", () => {
    const price = new PriceTable().lookup(MODEL).price;
    // 1000 input tokens of which 400 written to the cache: 600 × $3 + 400 × $3.75 per 1M.
    expect(costMicros({ inputTokens: 1000, cachedInputTokens: 0, cacheWriteInputTokens: 400, outputTokens: 0 }, price)).toBe(1800 + 1500);
  });
});

describe("unknown fields", () => {
  it("are named in x-hoosh-ignored-params", async () => {
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }], container: "c1", frobnicate: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-hoosh-ignored-params")).toBe("container, frobnicate");
  });
});
