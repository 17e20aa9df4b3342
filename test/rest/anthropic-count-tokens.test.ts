// POST /v1/messages/count_tokens through the SDK: the documented approximation,
// validation like /v1/messages, 404 for a model nobody serves.
import { BadRequestError, NotFoundError, type APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, startAnthropicEnv, type AnthropicEnv } from "./anthropic-harness.js";

let env: AnthropicEnv;
beforeAll(async () => {
  env = await startAnthropicEnv();
});
afterAll(async () => {
  await env?.close();
});

/** The documented formula: ceil(chars / 4) + 3 per message, ceil(chars / 4) + 10 per tool, 1,600 per image. */
const perMessage = (chars: number) => Math.ceil(chars / 4) + 3;

describe("POST /v1/messages/count_tokens", () => {
  it("counts system and messages with the documented approximation", async () => {
    const { input_tokens } = await env.client.messages.countTokens({
      model: "gpt-4o-mini",
      system: "Be brief.",
      messages: [
        { role: "user", content: "Hello, world" },
        { role: "assistant", content: "Hi!" },
        { role: "user", content: "Tell me a story about a cat." },
      ],
    });
    expect(input_tokens).toBe(perMessage(9) + perMessage(12) + perMessage(3) + perMessage(28));
  });

  it("counts tools, tool calls and images", async () => {
    const schema = { type: "object" as const, properties: { city: { type: "string" } } };
    const { input_tokens } = await env.client.messages.countTokens({
      model: "gpt-4o-mini",
      tools: [{ name: "get_weather", description: "Weather", input_schema: schema }],
      messages: [
        { role: "user", content: [{ type: "image", source: { type: "url", url: "https://example.com/a.png" } }, { type: "text", text: "Where?" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "Sunny" }] },
      ],
    });
    const tool = 10 + Math.ceil(("get_weather".length + "Weather".length + JSON.stringify(schema).length) / 4);
    const call = perMessage("get_weather".length + '{"city":"Oslo"}'.length);
    expect(input_tokens).toBe(1_600 + perMessage(6) + call + perMessage(5) + tool);
  });

  it("says the count is approximate", async () => {
    const res = await post(`${env.url}/v1/messages/count_tokens`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-hoosh-token-count")).toBe("approximate");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(await res.json()).toEqual({ input_tokens: perMessage(2) });
  });

  it("answers 404 for a model no provider serves", async () => {
    const err = await env.client.messages.countTokens({ model: "mistral-large", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as APIError).apiMessage).toContain("mistral-large");
  });

  it("validates like /v1/messages", async () => {
    const err = await env.client.messages
      .countTokens({ model: "gpt-4o-mini", messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "nope", content: "x" }] }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).apiMessage).toContain('messages[0].content[0].tool_use_id: "nope"');
  });
});
