// Streams that do not end normally: an upstream failure mid-stream becomes
// one SSE error event (never a fake finish), a failure before the first event
// is a plain HTTP error, and a client that disconnects stops the upstream.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { post, startOpenAIEnv, type OpenAIEnv } from "./openai-harness.js";

let env: OpenAIEnv;
beforeAll(async () => {
  env = await startOpenAIEnv();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(async () => {
  await env.fake.reset();
});

const streamBody = (model: string) => ({ model, messages: [{ role: "user", content: "one two three" }], stream: true });

describe("chat completion streams that fail", () => {
  it("ends a stream that fails mid-way with an SSE error event and no finish or [DONE]", async () => {
    const res = await post(`${env.url}/v1/chat/completions`, streamBody("fake-stream-error"));
    expect(res.status).toBe(200);
    const events = (await res.text()).split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, ""));
    expect(events.length).toBeGreaterThanOrEqual(2);
    const last = JSON.parse(events[events.length - 1]!) as { error: { message: string; type: string } };
    expect(last.error.message).toMatch(/mid-stream/);
    expect(last.error.type).toBe("server_error");
    expect(events).not.toContain("[DONE]");
    expect(events.slice(0, -1).every((e) => (JSON.parse(e) as { choices: { finish_reason: unknown }[] }).choices[0]!.finish_reason === null)).toBe(true);
  });

  it("makes the SDK's stream iteration throw an APIError", async () => {
    const stream = await env.client.chat.completions.create({ model: "fake-stream-error", messages: [{ role: "user", content: "a b c" }], stream: true });
    const seen: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(seen.length).toBeGreaterThan(0);
  });

  it("answers a failure before the first event as a plain HTTP error", async () => {
    const err = await env.client.chat.completions.create({ model: "fake-503", messages: [{ role: "user", content: "x" }], stream: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });
});

describe("client disconnect", () => {
  it("closes the upstream request when the client goes away mid-stream", async () => {
    const stream = await env.client.chat.completions.create({ model: "fake-long-stream", messages: [{ role: "user", content: "go" }], stream: true });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) received++;
      if (received >= 3) break; // breaking out aborts the SDK's HTTP request
    }
    const closed = await env.fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 5_000);
    expect(closed.type).toBe("client-closed");
    // The gateway is still serving.
    const again = await env.client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "still there" }] });
    expect(again.choices[0]!.message.content).toBe("echo: still there");
  });

  it("closes the upstream when a raw HTTP client drops the connection", async () => {
    const res = await post(`${env.url}/v1/chat/completions`, streamBody("fake-long-stream"));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const closed = await env.fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 5_000);
    expect(closed.type).toBe("client-closed");
  });

  it("closes the upstream when the client of a unary call goes away", async () => {
    const controller = new AbortController();
    const pending = env.client.chat.completions
      .create({ model: "fake-slow-first-byte", messages: [{ role: "user", content: "x" }] }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await env.fake.waitForEvent((e) => e.type === "request" && e.model === "fake-slow-first-byte");
    const leftAt = Date.now();
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    // Well before the provider's 2 s first-byte timeout would have closed it.
    await env.fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-slow-first-byte", 1_000);
    expect(Date.now() - leftAt).toBeLessThan(1_500);
  });
});
