// Errors through the Anthropic SDK: upstream and routing failures raise the
// SDK's typed errors; mid-stream failures arrive as `event: error`; a client
// that disconnects mid-stream closes the upstream request.
import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, startAnthropicEnv, type AnthropicEnv } from "./anthropic-harness.js";

let env: AnthropicEnv;
beforeAll(async () => {
  env = await startAnthropicEnv();
});
afterAll(async () => {
  await env?.close();
});

const ask = (model: string, extra: Record<string, unknown> = {}) =>
  env.client.messages.create({ model, max_tokens: 50, messages: [{ role: "user", content: "hi" }], ...extra } as Anthropic.MessageCreateParamsNonStreaming);

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Anthropic.APIError);
  return err as APIError;
}

describe("typed SDK errors", () => {
  it("upstream 401 → AuthenticationError", async () => {
    const err = await rejection(ask("fake-401"));
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.type).toBe("authentication_error");
    expect(err.requestID).toMatch(/^req_/);
  });

  it("upstream 403 → PermissionDeniedError", async () => {
    const err = await rejection(ask("fake-403"));
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(err.type).toBe("permission_error");
  });

  it("upstream 404 → NotFoundError", async () => {
    const err = await rejection(ask("fake-404"));
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.type).toBe("not_found_error");
  });

  it("a model no provider serves → NotFoundError naming it", async () => {
    const err = await rejection(ask("mistral-large"));
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.apiMessage).toContain('no provider serves model "mistral-large"');
  });

  it("upstream 429 → RateLimitError with the upstream's retry-after", async () => {
    const err = await rejection(ask("fake-429"));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.type).toBe("rate_limit_error");
    expect(err.headers?.get("retry-after")).toBe("7");
  });

  it("upstream 503 → 529 overloaded_error", async () => {
    const err = await rejection(ask("fake-503"));
    expect(err).toBeInstanceOf(Anthropic.OverloadedError);
    expect(err.status).toBe(529);
    expect(err.headers?.get("retry-after")).toBeTruthy();
    expect(err.type).toBe("overloaded_error");
  });

  it("missing max_tokens → BadRequestError naming max_tokens", async () => {
    const err = await rejection(env.client.messages.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] } as never));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.type).toBe("invalid_request_error");
    expect(err.apiMessage).toMatch(/^max_tokens: is required/);
  });

  it("a stream that cannot start fails with the typed error, not an event", async () => {
    const stream = env.client.messages.stream({ model: "fake-429", max_tokens: 50, messages: [{ role: "user", content: "hi" }] });
    const err = await rejection(stream.finalMessage());
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  });
});

describe("mid-stream failures", () => {
  it("an upstream error after the first event is an `event: error`, never a normal finish", async () => {
    const res = await post(`${env.url}/v1/messages`, { model: "fake-stream-error", max_tokens: 50, stream: true, messages: [{ role: "user", content: "a b c" }] });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("event: message_start");
    expect(text).toContain("event: error\ndata: ");
    expect(text).not.toContain("message_stop");
    expect(text).not.toContain("message_delta");
    const data = JSON.parse(text.split("event: error\ndata: ")[1]!.split("\n")[0]!);
    expect(data).toMatchObject({ type: "error", error: { type: expect.any(String), message: expect.any(String) } });

    const stream = env.client.messages.stream({ model: "fake-stream-error", max_tokens: 50, messages: [{ role: "user", content: "a b c" }] });
    const err = await rejection(stream.finalMessage());
    expect(err.type).toBe(data.error.type);
  });

  it("an upstream that stalls mid-stream ends with a timeout error event", async () => {
    const res = await post(`${env.url}/v1/messages`, { model: "fake-stall-stream", max_tokens: 50, stream: true, messages: [{ role: "user", content: "x" }] });
    const text = await res.text();
    expect(text).toContain("event: error");
    expect(text).toContain('"timeout_error"');
    expect(text).not.toContain("message_stop");
  });

  it("a client that disconnects mid-stream closes the upstream request", async () => {
    await env.fake.reset();
    const stream = env.client.messages.stream({ model: "fake-long-stream", max_tokens: 5000, messages: [{ role: "user", content: "go" }] });
    let deltas = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on("text", () => {
        if (++deltas === 3) resolve();
      });
      stream.on("error", reject);
    });
    stream.abort();
    await stream.done().catch(() => undefined);
    const closed = await env.fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 5_000);
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(100);
    // The server keeps serving.
    const msg = await ask("gpt-4o-mini");
    expect(msg.content[0]).toMatchObject({ type: "text" });
  });
});
