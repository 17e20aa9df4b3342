// Real BPE counts for OpenAI-family models vs the chars/4 approximation, and
// the estimate built from them.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { GenerateRequestSchema, EmbedRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { scalePrice } from "../../server/core/accounting/cost.js";
import {
  chatPromptTokens,
  DEFAULT_MAX_OUTPUT_TOKENS,
  embedPromptTokens,
  estimateOf,
  outputLimit,
} from "../../server/core/accounting/estimate.js";
import { approximateTokens, encodingFor, Tokenizer } from "../../server/core/accounting/tokenizer.js";

const text = (value: string) => ({ part: { case: "text" as const, value } });

describe("encodingFor", () => {
  it("picks the BPE of OpenAI-family models and none for others", () => {
    expect(encodingFor("gpt-4o-mini")).toBe("o200k_base");
    expect(encodingFor("gpt-5")).toBe("o200k_base");
    expect(encodingFor("o3-mini")).toBe("o200k_base");
    expect(encodingFor("openai/gpt-4.1")).toBe("o200k_base");
    expect(encodingFor("gpt-4")).toBe("cl100k_base");
    expect(encodingFor("gpt-4-turbo")).toBe("cl100k_base");
    expect(encodingFor("gpt-3.5-turbo")).toBe("cl100k_base");
    expect(encodingFor("text-embedding-3-small")).toBe("cl100k_base");
    expect(encodingFor("claude-sonnet-4-5")).toBeUndefined();
    expect(encodingFor("llama3.2")).toBeUndefined();
  });
});

describe("Tokenizer", () => {
  const tokenizer = new Tokenizer();

  it("counts exactly with the model's encoding", async () => {
    const o200k = await tokenizer.counter("gpt-4o");
    expect(o200k("hello world")).toBe(2);
    expect(o200k("")).toBe(0);
    // Special-token text in user input is plain text, never an error.
    expect(o200k("<|endoftext|>")).toBeGreaterThan(1);
    const cl100k = await tokenizer.counter("gpt-4");
    expect(cl100k("hello world")).toBe(2);
  });

  it("approximates other models as ceil(chars / 4)", async () => {
    const approx = await tokenizer.counter("claude-sonnet-4-5");
    expect(approx).toBe(approximateTokens);
    expect(approx("hello world")).toBe(3); // 11 chars
    expect(approx("")).toBe(0);
  });

  it("the approximation stays near the real count for English prose", async () => {
    const exact = await tokenizer.counter("gpt-4o");
    const prose = "The quick brown fox jumps over the lazy dog. ".repeat(40);
    const ratio = approximateTokens(prose) / exact(prose);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.5);
  });
});

describe("estimate", () => {
  const req = create(GenerateRequestSchema, {
    model: "gpt-4o-mini",
    messages: [
      { role: Role.SYSTEM, content: [text("You are terse.")] },
      { role: Role.USER, content: [text("hello world")], name: "bob" },
    ],
  });

  it("frames messages as OpenAI does: 3 per message, 1 per name, 3 priming", async () => {
    const count = await new Tokenizer().counter("gpt-4o-mini");
    const content = count("You are terse.") + count("hello world") + count("bob");
    expect(chatPromptTokens(req, count)).toBe(content + 3 * 2 + 1 + 3);
    expect(chatPromptTokens(req, approximateTokens)).toBe(4 + 3 + 1 + 3 * 2 + 1 + 3);
  });

  it("holds max_tokens for output, or the default", () => {
    expect(outputLimit(req)).toBe(DEFAULT_MAX_OUTPUT_TOKENS);
    expect(outputLimit({ sampling: { $typeName: "hoosh.v1.SamplingParams", maxTokens: 50, stop: [] } })).toBe(50);
  });

  it("prices the estimate with the model's prices", () => {
    const price = { input: scalePrice(0.15, "i"), cachedInput: scalePrice(0.075, "c"), output: scalePrice(0.6, "o") };
    // 20 * 0.15 + 1024 * 0.6 = 3 + 614.4 -> 617
    expect(estimateOf(20, 1024, price)).toEqual({ promptTokens: 20, outputTokens: 1024, tokens: 1044, usdMicros: 617 });
  });

  it("embeddings: input tokens only", () => {
    const e = create(EmbedRequestSchema, { model: "x", inputs: ["abcd", "abcdefgh"] });
    expect(embedPromptTokens(e, approximateTokens)).toBe(3);
  });
});
