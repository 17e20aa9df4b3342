// [[budgets]] rpm/tpm and [[keys]] tpm: parsed as given, bad values named by key path.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../server/config/index.js";

const HASH = "a".repeat(64);
const budget = (fields: string) => `[[budgets]]\nname = "team-a"\ncapacity = 1000\n${fields}`;
const key = (fields: string) => `[[keys]]\nid = "app"\nhash = "${HASH}"\nscopes = ["inference"]\n${fields}`;

function messageOf(toml: string): string {
  try {
    parseConfig(toml, { source: "hoosh.toml", env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("rate limit keys", () => {
  it("parses budgets rpm/tpm and keys rpm/tpm", () => {
    const config = parseConfig(`${budget("rpm = 10\ntpm = 5000")}\n${key("rpm = 60\ntpm = 100000")}`, { source: "t", env: {} });
    expect(config.budgets[0]).toMatchObject({ name: "team-a", rpm: 10, tpm: 5000 });
    expect(config.keys[0]).toMatchObject({ id: "app", rpm: 60, tpm: 100000 });
    const plain = parseConfig(budget(""), { source: "t", env: {} });
    expect(plain.budgets[0]!.rpm).toBeUndefined();
    expect(plain.budgets[0]!.tpm).toBeUndefined();
  });

  it.each([
    [budget("rpm = 0"), "hoosh.toml: budgets[0].rpm: 0 is not an integer >= 1"],
    [budget("rpm = 2.5"), "hoosh.toml: budgets[0].rpm: 2.5 is not an integer >= 1"],
    [budget('rpm = "10"'), 'hoosh.toml: budgets[0].rpm: expected integer, got string "10"'],
    [budget("tpm = -5"), "hoosh.toml: budgets[0].tpm: -5 is not an integer >= 1"],
    [budget('tpm = "lots"'), 'hoosh.toml: budgets[0].tpm: expected integer, got string "lots"'],
    [key("tpm = 0"), "hoosh.toml: keys[0].tpm: 0 is not an integer >= 1"],
    [key("tpm = true"), "hoosh.toml: keys[0].tpm: expected integer, got boolean true"],
    [budget("rps = 3"), 'hoosh.toml: budgets[0].rps: unknown key (did you mean "rpm"?)'],
  ])("%s", (toml, expected) => {
    expect(messageOf(toml)).toBe(expected);
  });
});
