// [server.cors]: off by default; with allowed origins, preflights on every surface (OpenAI REST,
// Connect RPCs) answer 204 before any route, and answers expose gRPC status, request ids and
// x-hoosh-* to browser scripts. A disallowed origin gets no CORS headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type App } from "../server/app.js";
import { ConfigError, parseConfig } from "../server/config/index.js";
import { listen, type Listener } from "../server/listen.js";
import { chain } from "../server/rest/handler.js";
import { createOpenAINotFound, createOpenAIRest } from "../server/rest/openai/index.js";
import { createRpcHandler } from "../server/rpc-handler.js";
import { notFoundFallback } from "../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";

const ORIGIN = "https://app.example.com";
let fake: FakeOpenAI;
const servers: { app: App; listener: Listener; url: string }[] = [];

async function serve(cors: string): Promise<string> {
  const config = parseConfig(
    `
[server]
bind = "127.0.0.1"
${cors}

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["gpt-*"]
`,
    { source: "cors-test", env: {} },
  );
  const app = await buildApp(config, { source: "cors-test" });
  const handler = createRpcHandler({
    routes: app.routes,
    fallback: chain([createOpenAIRest(app.restDeps), createOpenAINotFound(app.restDeps)], notFoundFallback),
    readMaxBytes: 1 << 20,
    cors: config.server.cors,
  });
  const listener = await listen(handler, "127.0.0.1", 0);
  const url = `http://127.0.0.1:${listener.port}`;
  servers.push({ app, listener, url });
  return url;
}

let on: string;
let off: string;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  on = await serve(`[server.cors]\nallowed_origins = ["${ORIGIN}"]\nallowed_headers = ["x-custom"]`);
  off = await serve("");
});
afterAll(async () => {
  for (const s of servers) {
    await s.listener.close(0);
    await s.app.close();
  }
  await fake?.stop();
});

const preflight = (url: string, path: string, origin = ORIGIN) =>
  fetch(`${url}${path}`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });

describe("[server.cors]", () => {
  it.each(["/v1/chat/completions", "/v1/responses", "/hoosh.v1.ModelsService/ListModels", "/hoosh/v1/models", "/v1/messages"])("answers a preflight on %s", async (path) => {
    const res = await preflight(on, path);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, DELETE, OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-allow-headers")).toContain("x-custom");
    expect(res.headers.get("access-control-allow-headers")).toContain("connect-protocol-version");
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });

  it("exposes grpc-status, grpc-message and x-hoosh-* on answers to an allowed origin (REST and Connect)", async () => {
    const rest = await fetch(`${on}/v1/chat/completions`, {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(rest.status).toBe(200);
    expect(rest.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const exposed = rest.headers.get("access-control-expose-headers") ?? "";
    for (const h of ["grpc-status", "grpc-message", "x-request-id", "x-hoosh-provider", "x-hoosh-ignored-params"]) expect(exposed).toContain(h);
    const rpc = await fetch(`${on}/hoosh.v1.ModelsService/ListModels`, { method: "POST", headers: { origin: ORIGIN, "content-type": "application/json" }, body: "{}" });
    expect(rpc.status).toBe(200);
    expect(rpc.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  });

  it("gives a disallowed origin no CORS headers", async () => {
    const res = await preflight(on, "/v1/chat/completions", "https://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const rpc = await fetch(`${on}/hoosh.v1.ModelsService/ListModels`, { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(rpc.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("is off by default", async () => {
    const res = await preflight(off, "/v1/chat/completions");
    expect(res.status).not.toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("names a bad origin by its key path", () => {
    expect(() => parseConfig(`[server.cors]\nallowed_origins = ["app.example.com"]`, { source: "hoosh.toml", env: {} })).toThrow(ConfigError);
    expect(() => parseConfig(`[server.cors]\nallowed_origins = ["app.example.com"]`, { source: "hoosh.toml", env: {} })).toThrow(/server\.cors\.allowed_origins\[0\]/);
  });
});
