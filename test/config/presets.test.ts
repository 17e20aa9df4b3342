import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../server/config/index.js";

const parse = (toml: string) => parseConfig(toml, { source: "hoosh.toml", env: {} });
function message(toml: string): string {
  try {
    parse(toml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("provider presets", () => {
  it("fill type and base_url", () => {
    const cfg = parse('[[providers]]\nname = "g"\npreset = "groq"\nmodels = ["llama-*"]\n[[providers]]\nname = "c"\npreset = "anthropic"\nmodels = ["claude-*"]');
    expect(cfg.providers[0]).toMatchObject({ type: "openai", base_url: "https://api.groq.com/openai/v1", preset: "groq" });
    expect(cfg.providers[1]).toMatchObject({ type: "anthropic", base_url: "https://api.anthropic.com/v1" });
  });

  it("let explicit keys win", () => {
    const cfg = parse('[[providers]]\nname = "v"\npreset = "vllm"\nbase_url = "http://127.0.0.1:9000/v1"\nmodels = ["*"]');
    expect(cfg.providers[0]?.base_url).toBe("http://127.0.0.1:9000/v1");
  });

  it("reject a type that contradicts the preset", () => {
    expect(message('[[providers]]\nname = "x"\npreset = "gemini"\ntype = "openai"\nmodels = ["*"]')).toBe(
      'hoosh.toml: providers[0].type: "openai" conflicts with preset "gemini" (which speaks gemini); remove type or the preset',
    );
  });

  it("reject an unknown preset, listing the known ones", () => {
    expect(message('[[providers]]\nname = "x"\npreset = "grok"\nmodels = ["*"]')).toContain('providers[0].preset: "grok" is not one of: openai, groq, deepseek');
  });
});

describe("aliases and resilience keys", () => {
  it("accept aliases to one model or an ordered list", () => {
    const cfg = parse('[aliases]\nfast = "gpt-4o-mini"\nsmart = ["claude-sonnet-4", "gpt-4o"]');
    expect(cfg.aliases).toEqual({ fast: "gpt-4o-mini", smart: ["claude-sonnet-4", "gpt-4o"] });
  });

  it("reject an empty alias list and bad breaker values", () => {
    expect(message("[aliases]\nnone = []")).toContain("aliases.none");
    expect(message('[[providers]]\nname = "p"\ntype = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nmodels = ["*"]\nbreaker = { failures = 0 }')).toBe(
      "hoosh.toml: providers[0].breaker.failures: 0 is not an integer >= 1",
    );
  });
});
