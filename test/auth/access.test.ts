// API keys through a real `hoosh serve`: gRPC (interceptor), OpenAI and Anthropic REST
// (edge gate), REST transcoding (same interceptor, in memory), open health and reflection.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/ts/grpc/health/v1/health_pb.js";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { run, toolPath } from "../harness/tools.js";
import { chatBody, KEYS, postJson, serveWith, withKeys, type Served } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let fake: FakeOpenAI;
let served: Served;
let url: string;
let sessions: Http2SessionManager;
let transport: Transport;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  served = await serveWith(withKeys(fake.baseUrl));
  url = served.server.url;
  sessions = new Http2SessionManager(url);
  transport = createGrpcTransport({ baseUrl: url, sessionManager: sessions });
});

afterAll(async () => {
  sessions?.abort();
  await served?.stop();
  await fake?.stop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const request = (model = "gpt-4o-mini") => ({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: "hi" } }] }] });

async function rpcError(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

describe("gRPC", () => {
  it("no key → Unauthenticated; a wrong or disabled key too", async () => {
    const client = createClient(InferenceService, transport);
    expect((await rpcError(client.generate(request()))).code).toBe(Code.Unauthenticated);
    expect((await rpcError(client.generate(request(), { headers: bearer("hk_wrong_0123456789abcdef") }))).code).toBe(Code.Unauthenticated);
    const off = await rpcError(client.generate(request(), { headers: bearer(KEYS.off) }));
    expect(off.code).toBe(Code.Unauthenticated);
    expect(off.rawMessage).toContain('"off" is disabled');
  });

  it("a valid key with the scope works (Bearer and x-api-key)", async () => {
    const client = createClient(InferenceService, transport);
    expect((await client.generate(request(), { headers: bearer(KEYS.app) })).message).toBeDefined();
    expect((await client.generate(request(), { headers: { "x-api-key": KEYS.app } })).message).toBeDefined();
  });

  it("wrong scope → PermissionDenied; disallowed model names the model and the key id", async () => {
    const client = createClient(InferenceService, transport);
    const scope = await rpcError(client.generate(request(), { headers: bearer(KEYS.reader) }));
    expect(scope.code).toBe(Code.PermissionDenied);
    expect(scope.rawMessage).toContain('"reader"');
    const model = await rpcError(client.generate(request("claude-x"), { headers: bearer(KEYS.limited) }));
    expect(model.code).toBe(Code.PermissionDenied);
    expect(model.rawMessage).toBe('API key "limited" may not use model "claude-x"');
    // Streaming calls check the model too.
    const stream = await rpcError((async () => {
      for await (const _ of client.generateStream(request("claude-x"), { headers: bearer(KEYS.limited) })) void _;
    })());
    expect(stream.code).toBe(Code.PermissionDenied);
  });

  it("Budget CreatePool is admin-only; reads need budgets:read", async () => {
    const budget = createClient(BudgetService, transport);
    const pool = { name: "auth-test", capacityTokens: 100n };
    expect((await rpcError(budget.createPool({ pool }, { headers: bearer(KEYS.app) }))).code).toBe(Code.PermissionDenied);
    expect((await rpcError(budget.createPool({ pool }, { headers: bearer(KEYS.reader) }))).code).toBe(Code.PermissionDenied);
    expect((await budget.createPool({ pool }, { headers: bearer(KEYS.admin) })).pool?.name).toBe("auth-test");
    expect((await budget.listPools({}, { headers: bearer(KEYS.reader) })).pools.map((p) => p.name)).toContain("auth-test");
    expect((await rpcError(budget.listPools({}, { headers: bearer(KEYS.app) }))).code).toBe(Code.PermissionDenied);
  });

  it("health is open without a key", async () => {
    const health = createClient(Health, transport);
    expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("reflection is open: grpcurl list works without a key", async () => {
    const address = url.replace("http://", "");
    const out = await run(toolPath("grpcurl"), ["-plaintext", address, "list"], { timeoutMs: 20_000 });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("hoosh.v1.InferenceService");
  });
});

describe("REST", () => {
  it("no key → 401 in OpenAI's shape; a bad key too", async () => {
    const none = await postJson(`${url}/v1/chat/completions`, chatBody());
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
    const bad = await postJson(`${url}/v1/chat/completions`, chatBody(), bearer("hk_wrong_0123456789abcdef"));
    expect(bad.status).toBe(401);
    expect(bad.json.error.message).toBe("invalid API key");
  });

  it("a valid Bearer key works on OpenAI, x-api-key on Anthropic /v1/messages", async () => {
    expect((await postJson(`${url}/v1/chat/completions`, chatBody(), bearer(KEYS.app))).status).toBe(200);
    const body = JSON.stringify({ model: "gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
    const anon = await postJson(`${url}/v1/messages`, body);
    expect(anon.status).toBe(401);
    expect(anon.json).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect((await postJson(`${url}/v1/messages`, body, { "x-api-key": KEYS.app })).status).toBe(200);
  });

  it("wrong scope → 403; disallowed model → 403 naming the model", async () => {
    const scope = await postJson(`${url}/v1/chat/completions`, chatBody(), bearer(KEYS.reader));
    expect(scope.status).toBe(403);
    expect(scope.json.error.type).toBe("permission_error");
    const model = await postJson(`${url}/v1/chat/completions`, chatBody("claude-x"), bearer(KEYS.limited));
    expect(model.status).toBe(403);
    expect(model.json.error.message).toBe('API key "limited" may not use model "claude-x"');
    const streamed = await postJson(`${url}/v1/chat/completions`, JSON.stringify({ model: "claude-x", stream: true, messages: [{ role: "user", content: "hi" }] }), bearer(KEYS.limited));
    expect(streamed.status).toBe(403);
    expect((await postJson(`${url}/v1/chat/completions`, chatBody("gpt-4o-mini"), bearer(KEYS.limited))).status).toBe(200);
  });

  it("per-key rpm → 429 with Retry-After", async () => {
    for (let i = 0; i < 2; i++) expect((await postJson(`${url}/v1/chat/completions`, chatBody(), bearer(KEYS.slow))).status).toBe(200);
    const over = await postJson(`${url}/v1/chat/completions`, chatBody(), bearer(KEYS.slow));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(over.json.error.message).toContain('"slow" exceeded its limit of 2 requests per minute');
  });

  it("REST transcoding passes the interceptor: admin-only CreatePool", async () => {
    const body = JSON.stringify({ name: "rest-pool", capacity_tokens: "10" });
    expect((await postJson(`${url}/hoosh/v1/budget/pools`, body)).status).toBe(401);
    expect((await postJson(`${url}/hoosh/v1/budget/pools`, body, bearer(KEYS.app))).status).toBe(403);
    expect((await postJson(`${url}/hoosh/v1/budget/pools`, body, bearer(KEYS.admin))).status).toBe(200);
  });

  it("never logs or echoes a key", () => {
    const output = served.server.stdout() + served.server.stderr();
    for (const key of Object.values(KEYS)) expect(output).not.toContain(key);
    expect(output).not.toContain("hk_wrong_0123456789abcdef");
  });
});
