// The semantic cache's own rules, with hand-made vectors: buckets, threshold, TTL, eviction.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MessageSchema, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, GenerateResponseSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { SemanticCache, semanticQuestion } from "../../server/core/cache/semantic.js";

const text = (role: Role, value: string) => ({ role, content: [{ part: { case: "text" as const, value } }] });
const ask = (question: string, system = "Be brief.", model = "gpt-4o-mini") =>
  create(GenerateRequestSchema, { model, messages: [text(Role.SYSTEM, system), text(Role.USER, question)], sampling: { temperature: 0 } });
const answer = (value: string) => create(GenerateResponseSchema, { model: "gpt-4o-mini", message: text(Role.ASSISTANT, value), usage: { inputTokens: 5, outputTokens: 3, costUsdMicros: 40n } });
const textOf = (r: ReturnType<typeof answer> | undefined) => (r?.message?.content[0]?.part.case === "text" ? r.message.content[0].part.value : undefined);

describe("semanticQuestion", () => {
  it("puts requests that differ only in the last user text in one bucket", () => {
    const a = semanticQuestion(ask("What is the capital of France?"))!;
    const b = semanticQuestion(ask("capital of france?"))!;
    expect(a.text).toBe("What is the capital of France?");
    expect(a.bucket).toBe(b.bucket);
  });

  it("keeps other system prompts, models and sampling apart", () => {
    const base = semanticQuestion(ask("q"))!.bucket;
    expect(semanticQuestion(ask("q", "Answer in French."))!.bucket).not.toBe(base);
    expect(semanticQuestion(ask("q", "Be brief.", "gpt-4o"))!.bucket).not.toBe(base);
    const hot = ask("q");
    hot.sampling!.temperature = 1;
    expect(semanticQuestion(hot)!.bucket).not.toBe(base);
  });

  it("has no question when the last message is not one user text", () => {
    const req = ask("q");
    req.messages.push(create(MessageSchema, text(Role.ASSISTANT, "a")));
    expect(semanticQuestion(req)).toBeUndefined();
    expect(semanticQuestion(ask("   "))).toBeUndefined();
  });
});

describe("SemanticCache", () => {
  it("answers the closest stored question at or above the threshold, marked as a free hit", () => {
    const cache = new SemanticCache({ threshold: 0.9, maxEntries: 10 });
    cache.store("b", [1, 0, 0], answer("Paris"), 60_000);
    cache.store("b", [0, 1, 0], answer("Madrid"), 60_000);
    const hit = cache.lookup("b", [0.95, 0.1, 0]); // cos ≈ 0.994 to the first
    expect(textOf(hit)).toBe("Paris");
    expect(hit!.usage).toMatchObject({ cacheHit: true, costUsdMicros: 0n, inputTokens: 5 });
    expect(cache.lookup("b", [0.7, 0.7, 0])).toBeUndefined(); // cos ≈ 0.71 to both
    expect(cache.lookup("other", [1, 0, 0])).toBeUndefined();
    expect(cache.stats()).toEqual({ hits: 1, misses: 2, entries: 2 });
  });

  it("does not hand out a stored answer for the caller to change", () => {
    const cache = new SemanticCache({ threshold: 0.9, maxEntries: 10 });
    cache.store("b", [1, 0], answer("Paris"), 60_000);
    cache.lookup("b", [1, 0])!.usage!.budgetPool = "someone";
    expect(cache.lookup("b", [1, 0])!.usage!.budgetPool).toBe("");
  });

  it("forgets a question after its TTL and the oldest beyond max_entries", () => {
    let now = 0;
    const cache = new SemanticCache({ threshold: 0.9, maxEntries: 2, now: () => now });
    cache.store("b", [1, 0, 0], answer("one"), 1_000);
    now = 1_000;
    expect(cache.lookup("b", [1, 0, 0])).toBeUndefined();
    cache.store("b", [0, 1, 0], answer("two"), 60_000);
    cache.store("b", [0, 0, 1], answer("three"), 60_000);
    cache.store("c", [1, 0, 0], answer("four"), 60_000); // evicts the oldest live entries first
    expect(textOf(cache.lookup("c", [1, 0, 0]))).toBe("four");
    expect(textOf(cache.lookup("b", [0, 0, 1]))).toBe("three");
    expect(cache.lookup("b", [0, 1, 0])).toBeUndefined();
  });

  it("ignores stored vectors of another length (a changed embedding model)", () => {
    const cache = new SemanticCache({ threshold: 0.5, maxEntries: 10 });
    cache.store("b", [1, 0], answer("old"), 60_000);
    expect(cache.lookup("b", [1, 0, 0])).toBeUndefined();
  });
});
