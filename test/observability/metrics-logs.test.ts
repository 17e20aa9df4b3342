// /metrics, access logs and traceparent through a real `hoosh serve` in front of the fake OpenAI upstream.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI, type FakeRequestEvent } from "../fakes/spawn.js";
import { chat, rpc, sample, serveWith, type Served } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const MARKER = `secret-prompt-${Math.random().toString(36).slice(2)}`;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

let fake: FakeOpenAI;
let hoosh: Served;
let metrics = "";
const usage = { input: 0, output: 0 };
let requests = 0;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await serveWith(fake.baseUrl, `\n[observability]\nmax_model_labels = 3\n\n[[budgets]]\nname = "team"\ncapacity = 1000\n`);

  // RPC (Connect JSON) unary, with a request id and a traceparent.
  const a = await rpc(hoosh.url, "Generate", chat("m-a", `hello ${MARKER}`), { "x-request-id": "req-obs-1", traceparent: TRACEPARENT });
  expect(a.status).toBe(200);
  const au = a.body.usage as { inputTokens: number; outputTokens: number };
  usage.input += au.inputTokens;
  usage.output += au.outputTokens;
  // REST (OpenAI) unary, no traceparent.
  const b = await fetch(`${hoosh.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m-a", messages: [{ role: "user", content: `again ${MARKER}` }] }),
  });
  const bu = ((await b.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
  usage.input += bu.prompt_tokens;
  usage.output += bu.completion_tokens;
  // REST stream.
  const s = await fetch(`${hoosh.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m-s", stream: true, messages: [{ role: "user", content: `stream ${MARKER}` }] }),
  });
  expect(await s.text()).toContain("[DONE]");
  // An upstream 400 (INVALID_ARGUMENT).
  expect((await rpc(hoosh.url, "Generate", chat("fake-400", MARKER))).status).toBe(400);
  requests = 4;
  metrics = await (await fetch(`${hoosh.url}/metrics`)).text();
}, 60_000);

afterAll(async () => {
  await hoosh?.close();
  await fake?.stop();
});

describe("/metrics", () => {
  it("serves Prometheus text", async () => {
    const res = await fetch(`${hoosh.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("counts requests by route, provider, model and code", () => {
    expect(sample(metrics, "hoosh_requests_total", { route: "rpc:generate", provider: "fake", model: "m-a", code: "OK" })).toBe(1);
    expect(sample(metrics, "hoosh_requests_total", { route: "rest:generate", provider: "fake", model: "m-a", code: "OK" })).toBe(1);
    expect(sample(metrics, "hoosh_requests_total", { route: "rest:generate_stream", provider: "fake", model: "m-s", code: "OK" })).toBe(1);
    expect(sample(metrics, "hoosh_requests_total", { route: "rpc:generate", provider: "fake", model: "fake-400", code: "INVALID_ARGUMENT" })).toBe(1);
  });

  it("records GenAI token usage equal to the upstream's usage", () => {
    const labels = { gen_ai_operation_name: "chat", gen_ai_request_model: "m-a", gen_ai_provider_name: "fake" };
    expect(sample(metrics, "gen_ai_client_token_usage_sum", { ...labels, gen_ai_token_type: "input" })).toBe(usage.input);
    expect(sample(metrics, "gen_ai_client_token_usage_sum", { ...labels, gen_ai_token_type: "output" })).toBe(usage.output);
    expect(sample(metrics, "gen_ai_client_token_usage_count", { ...labels, gen_ai_token_type: "input" })).toBe(2);
  });

  it("records operation duration, with error_type on failures", () => {
    const labels = { gen_ai_operation_name: "chat", gen_ai_provider_name: "fake" };
    expect(sample(metrics, "gen_ai_client_operation_duration_seconds_count", { ...labels, gen_ai_request_model: "m-a" })).toBe(2);
    expect(sample(metrics, "gen_ai_client_operation_duration_seconds_count", { ...labels, gen_ai_request_model: "fake-400", error_type: "INVALID_ARGUMENT" })).toBe(1);
  });

  it("has time to first token, streams in flight, circuit state and budget remaining", () => {
    expect(sample(metrics, "hoosh_time_to_first_token_seconds_count", { route: "rest:generate_stream", provider: "fake", model: "m-s" })).toBe(1);
    expect(sample(metrics, "hoosh_streams_in_flight", { route: "rest:generate_stream" })).toBe(0);
    expect(sample(metrics, "hoosh_provider_circuit_state", { provider: "fake" })).toBe(0);
    expect(sample(metrics, "hoosh_budget_remaining", { pool: "team", unit: "tokens" })).toBe(1000);
  });

  it("has the process's load: requests in flight and queued (none now), event loop delay", () => {
    expect(sample(metrics, "hoosh_requests_in_flight", {})).toBe(0);
    expect(sample(metrics, "hoosh_requests_queued", {})).toBe(0);
    const p99 = sample(metrics, "hoosh_event_loop_delay_seconds", { quantile: "0.99" });
    // A real reading: the loop always runs at least a little late, and not by a whole minute.
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThan(60);
  });

  it("collapses models beyond max_model_labels into \"other\"", async () => {
    for (const m of ["m-x", "m-y", "m-z"]) expect((await rpc(hoosh.url, "Generate", chat(m, "hi"))).status).toBe(200);
    requests += 3;
    const text = await (await fetch(`${hoosh.url}/metrics`)).text();
    // m-a, m-s, fake-400 took the 3 slots: every later model is "other".
    expect(sample(text, "hoosh_requests_total", { route: "rpc:generate", provider: "fake", model: "other", code: "OK" })).toBe(3);
    expect(text).not.toContain('model="m-x"');
  });
});

describe("access log", () => {
  const lines = () =>
    hoosh
      .stdout()
      .split("\n")
      .filter((l) => l.includes('"msg":"access"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("writes one line per request with request id, route, provider, model, code, tokens", async () => {
    // Access lines are written off the request path: wait for them.
    await vi.waitFor(() => expect(lines()).toHaveLength(requests), { timeout: 10_000, interval: 20 });
    const access = lines();
    const first = access.find((l) => l.request_id === "req-obs-1")!;
    expect(first).toMatchObject({ route: "rpc:generate", provider: "fake", model: "m-a", code: "OK", level: "info" });
    expect(first.input_tokens).toBeGreaterThan(0);
    expect(typeof first.duration_ms).toBe("number");
    for (const l of access) expect(typeof l.request_id).toBe("string");
  });

  it("never contains the prompt", () => {
    expect(hoosh.stdout()).not.toContain(MARKER);
  });
});

describe("traceparent upstream", () => {
  const upstreamRequests = async () => (await fake.events()).filter((e): e is FakeRequestEvent => e.type === "request");

  it("forwards the caller's traceparent", async () => {
    const events = await upstreamRequests();
    const given = events.find((e) => e.headers["x-request-id"] === "req-obs-1")!;
    expect(given.headers.traceparent).toBe(TRACEPARENT);
  });

  it("makes none up when the caller sends none and tracing is off (the request id correlates)", async () => {
    const events = await upstreamRequests();
    const others = events.filter((e) => e.headers["x-request-id"] !== "req-obs-1");
    expect(others.length).toBeGreaterThan(0);
    for (const e of others) {
      expect(e.headers.traceparent).toBeNull();
      expect(e.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
