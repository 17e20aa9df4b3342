// Price table (globs, first match, unknown = 0) and the cost formula (cached
// tokens, audio, round half up, integer math past 2^53).
import { describe, expect, it, vi } from "vitest";
import { costMicros, scalePrice, type ScaledPrice } from "../../server/core/accounting/cost.js";
import { PriceTable } from "../../server/core/accounting/pricing.js";

const usd = (input: number, output: number, cached = input, audio?: number): ScaledPrice => ({
  input: scalePrice(input, "input"),
  cachedInput: scalePrice(cached, "cached_input"),
  output: scalePrice(output, "output"),
  audio: audio === undefined ? undefined : scalePrice(audio, "audio"),
});

describe("PriceTable (data/pricing.json)", () => {
  const table = new PriceTable();

  it("first match wins: specific patterns before broad ones", () => {
    expect(table.lookup("gpt-4o-mini").pattern).toBe("gpt-4o-mini*");
    expect(table.lookup("gpt-4o-mini-2024-07-18").pattern).toBe("gpt-4o-mini*");
    expect(table.lookup("gpt-4o-2024-08-06").pattern).toBe("{gpt-4o,chatgpt-4o}*");
    expect(table.lookup("gpt-4.1-nano").pattern).toBe("gpt-4.1-nano*");
    expect(table.lookup("gemini-2.5-flash-lite").pattern).toBe("gemini-2.5-flash-lite*");
    expect(table.lookup("gemini-2.5-flash").pattern).toBe("gemini-2.5-flash*");
    expect(table.lookup("claude-sonnet-4-5-20250929").pattern).toBe("claude-{sonnet-4,3-7-sonnet,3-5-sonnet}*");
    expect(table.lookup("claude-opus-4-5").pattern).toBe("claude-opus-4-5*");
    expect(table.lookup("claude-opus-4-1").pattern).toBe("claude-{opus-4,3-opus}*");
  });

  it("prices are USD per 1M tokens (= micro-USD per token)", () => {
    expect(table.lookup("gpt-4o-mini").price).toEqual(usd(0.15, 0.6, 0.075));
    expect(table.lookup("o1").price).toEqual(usd(15, 60, 7.5));
    // No cached price: cached input costs the input price.
    expect(table.lookup("gpt-4-turbo").price).toEqual(usd(10, 30));
  });

  it("matches case-insensitively and after a vendor prefix", () => {
    expect(table.lookup("GPT-4o-Mini").pattern).toBe("gpt-4o-mini*");
    expect(table.lookup("openai/gpt-4o-mini").pattern).toBe("gpt-4o-mini*");
    expect(table.lookup("openai/gpt-oss-120b").pattern).toBe("gpt-oss-120b");
  });

  it("unknown and local models cost 0 and are reported once", () => {
    const onUnknown = vi.fn();
    const t = new PriceTable(undefined, onUnknown);
    expect(t.lookup("llama3.2:1b")).toEqual({ price: { input: 0, cachedInput: 0, output: 0 } });
    t.lookup("llama3.2:1b");
    expect(onUnknown).toHaveBeenCalledTimes(1);
    expect(onUnknown).toHaveBeenCalledWith("llama3.2:1b");
  });

  it("rejects a malformed table at startup, naming the entry", () => {
    expect(() => new PriceTable({ models: [{ match: "x*", input: -1, output: 1 }] })).toThrow("pricing models[0].input");
    expect(() => new PriceTable({ models: [{ match: "x*", input: 0.1234567, output: 1 }] })).toThrow("at most 6 decimals");
    expect(() => new PriceTable({ models: [{ match: "", input: 1, output: 1 }] })).toThrow("models[0].match");
  });
});

describe("costMicros", () => {
  it("input_uncached*p_in + cached*p_cached + output*p_out", () => {
    // o1: 15 / 7.5 / 60 USD per 1M. 1000 in (400 cached), 500 out:
    // 600*15 + 400*7.5 + 500*60 = 9000 + 3000 + 30000
    expect(costMicros({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500 }, usd(15, 60, 7.5))).toBe(42_000);
    // gpt-4o-mini: 10 in, 4 out = 1.5 + 2.4 = 3.9 -> 4
    expect(costMicros({ inputTokens: 10, cachedInputTokens: 0, outputTokens: 4 }, usd(0.15, 0.6, 0.075))).toBe(4);
  });

  it("rounds half up, exactly", () => {
    const p = usd(0.5, 0);
    expect(costMicros({ inputTokens: 1, cachedInputTokens: 0, outputTokens: 0 }, p)).toBe(1); // 0.5 -> 1
    expect(costMicros({ inputTokens: 3, cachedInputTokens: 0, outputTokens: 0 }, p)).toBe(2); // 1.5 -> 2
    expect(costMicros({ inputTokens: 1, cachedInputTokens: 0, outputTokens: 0 }, usd(0.499999, 0))).toBe(0);
    // 0.1 + 0.2 style float traps do not leak: 3 tokens at 0.1 + 6 at 0.2 = 1.5 exactly -> 2
    expect(costMicros({ inputTokens: 3, cachedInputTokens: 0, outputTokens: 6 }, usd(0.1, 0.2))).toBe(2);
  });

  it("cached tokens never exceed input", () => {
    expect(costMicros({ inputTokens: 10, cachedInputTokens: 50, outputTokens: 0 }, usd(2, 8, 1))).toBe(10);
  });

  it("audio tokens at the audio price, taken out of input first", () => {
    // 100 in (30 audio), 20 out at 2.5/10, audio 40: 70*2.5 + 20*10 + 30*40 = 175 + 200 + 1200
    expect(costMicros({ inputTokens: 100, cachedInputTokens: 0, outputTokens: 20, audioTokens: 30 }, usd(2.5, 10, 2.5, 40))).toBe(1575);
    // Without an audio price they are plain tokens.
    expect(costMicros({ inputTokens: 100, cachedInputTokens: 0, outputTokens: 20, audioTokens: 30 }, usd(2.5, 10))).toBe(450);
  });

  it("stays exact past 2^53 (BigInt path)", () => {
    const max = 4_294_967_295; // uint32 token counts
    const p = usd(600, 600, 600);
    expect(costMicros({ inputTokens: max, cachedInputTokens: 0, outputTokens: max }, p)).toBe(2 * max * 600);
  });
});
