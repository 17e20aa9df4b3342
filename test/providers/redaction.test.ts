// An upstream error body that quotes the credentials hoosh sent (api_key as a Bearer token, the
// whole Authorization header, URL-encoded) reaches neither the client (REST or gRPC) nor the log.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { buildApp, type App } from "../../server/app.js";
import { parseConfig } from "../../server/config/index.js";
import { listen, type Listener } from "../../server/listen.js";
import { redactSecrets, secretsOf } from "../../server/providers/redact.js";
import { chain } from "../../server/rest/handler.js";
import { createOpenAINotFound, createOpenAIRest } from "../../server/rest/openai/index.js";
import { createRpcHandler } from "../../server/rpc-handler.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";

const KEY = "sk-hoosh-test-0123456789abcdef";
let fake: FakeOpenAI;
let app: App;
let listener: Listener;
let url: string;
const logged: string[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const config = parseConfig(
    `
[server]
bind = "127.0.0.1"

[router]
fallback = false
max_attempts = 1

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
api_key = "${KEY}"
models = ["fake-*"]
`,
    { source: "redaction-test", env: {} },
  );
  const logger = { log: (_level: string, msg: string, fields?: Record<string, unknown>) => void logged.push(msg + JSON.stringify(fields ?? {})) };
  app = await buildApp(config, { source: "redaction-test", logger: logger as never });
  const handler = createRpcHandler({ routes: app.routes, fallback: chain([createOpenAIRest(app.restDeps), createOpenAINotFound(app.restDeps)], notFoundFallback), readMaxBytes: 1 << 20 });
  listener = await listen(handler, "127.0.0.1", 0);
  url = `http://127.0.0.1:${listener.port}`;
});
afterAll(async () => {
  await listener?.close(0);
  await app?.close();
  await fake?.stop();
});

describe("secrets in upstream error bodies", () => {
  it("REST: the OpenAI error relays the upstream's message with the key cut out", async () => {
    const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "fake-echo-auth", messages: [{ role: "user", content: "hi" }] }) });
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).toContain("Incorrect API key provided: [redacted]");
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(encodeURIComponent(KEY));
  });

  it("gRPC: the same for the ConnectError message, and nothing in the logs", async () => {
    const client = createClient(InferenceService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
    const err = await client
      .generate(create(GenerateRequestSchema, { model: "fake-echo-auth", messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "hi" } }] }] }))
      .catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unauthenticated);
    expect((err as ConnectError).rawMessage).toContain("[redacted]");
    expect((err as ConnectError).rawMessage).not.toContain(KEY);
    expect(logged.join("\n")).not.toContain(KEY);
  });

  it("secretsOf takes credential headers (and the token after a scheme), not others", () => {
    const secrets = secretsOf({ authorization: `Bearer ${KEY}`, "x-api-key": "abcdef-123", "anthropic-version": "2023-06-01", accept: "application/json" });
    expect(secrets).toEqual([`Bearer ${KEY}`, KEY, "abcdef-123"]);
    expect(redactSecrets(`a ${KEY} b Bearer ${KEY} c 2023-06-01`, secrets)).toBe("a [redacted] b [redacted] c 2023-06-01");
  });
});
