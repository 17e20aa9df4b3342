// Property tests: parseConfig on arbitrary TOML-ish text and on mutations of a valid config:
// a Config, or a ConfigError whose every line starts with the source name and never shows a secret.
import fc from "fast-check";
import { describe as suite, expect, it } from "vitest";
import { ConfigError } from "../../server/config/errors.js";
import { parseConfig } from "../../server/config/load.js";
import { budget, describe } from "./helpers.js";

const SOURCE = "fuzz/hoosh.toml";

/** A secret as a user would write one; ≥ 8 characters. */
const secretArb = fc.stringMatching(/^[A-Za-z0-9_-]{8,32}$/);

function baseConfig(secret: string, headerSecret: string): string {
  return `# hoosh.toml
[server]
bind = "127.0.0.1"
port = 9090
max_body_bytes = 1048576

[router]
strategy = "weighted"
fallback = false
max_attempts = 5

[[providers]]
name = "openai"
type = "openai"
base_url = "https://api.openai.com/v1"
api_key = "${secret}"
headers = { "OpenAI-Organization" = "${headerSecret}" }
models = ["gpt-*", "o*"]
priority = 10
weight = 3

[providers.timeouts]
connect_ms = 2000
first_byte_ms = 30000

[[providers]]
name = "claude"
type = "anthropic"
base_url = "https://api.anthropic.com"
api_key = "\${ANTHROPIC_API_KEY}"
models = ["claude-*"]
enabled = false

[[budgets]]
name = "default"
capacity = 1000000
period = "daily"

[aliases]
default = "gpt-4o-mini"
`;
}

function check(text: string, env: Record<string, string>, secrets: readonly string[]): void {
  try {
    parseConfig(text, { source: SOURCE, env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`parseConfig threw a non-ConfigError: ${describe(err)}`);
    expect(err.source).toBe(SOURCE);
    expect(err.issues.length).toBeGreaterThan(0);
    for (const line of err.message.split("\n")) expect(line.startsWith(`${SOURCE}: `), line).toBe(true);
    for (const s of secrets) {
      for (const issue of err.issues) expect(issue.message.includes(s), `secret ${JSON.stringify(s)} leaked in:\n${err.message}`).toBe(false);
      // Issue paths are not checked: known bug config-path-not-scrubbed (known-bugs.test.ts) — a secret
      // written as a *key* shows in the path. Everything else on the line must be clean.
      const leakedOutsidePaths = err.message.split("\n").some((l, i) => l.replace(`${SOURCE}: ${err.issues[i]!.path}: `, "").includes(s));
      expect(leakedOutsidePaths, `secret ${JSON.stringify(s)} leaked in:\n${err.message}`).toBe(false);
    }
  }
}

const KEYS = ["name", "type", "base_url", "api_key", "headers", "models", "priority", "weight", "enabled", "max_connections", "port", "bind", "strategy", "capacity", "period", "max_attempts", "audit_key", "default", "timeouts", "x"];
const TABLES = ["server", "router", "providers", "providers.timeouts", "providers.headers", "budgets", "aliases", "auth", "keys", "observability", "cache", "nope"];

const tomlValue = (secret: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => JSON.stringify(s)),
    fc.integer().map(String),
    fc.constantFrom("0", "-1", "1e308", "inf", "nan", "0x10", "1_000", "3.5", "true", "false", "1979-05-27T07:32:00Z", "07:32:00", "[]", "{}", '{ a = 1 }', "[1, \"a\"]", '"${UNSET}"', '"${UNSET:-x}"', '"${"', '"$${x}"', "'literal'", '"""multi\nline"""'),
    fc.constant(JSON.stringify(secret)),
    fc.constant(`"${secret}-with-suffix"`),
    fc.constant(`[${JSON.stringify(secret)}]`),
    fc.constant(`{ "X-Key" = ${JSON.stringify(secret)} }`),
  );

const line = (secret: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tomlValue(secret)).map(([k, v]) => `${k} = ${v}`),
    fc.constantFrom(...TABLES).map((t) => `[${t}]`),
    fc.constantFrom(...TABLES).map((t) => `[[${t}]]`),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.constant(`api_key = ${JSON.stringify(secret)}`),
    fc.constant(`api_key = "${secret}`), // unterminated: a syntax error on the secret's line
    fc.constant(`${secret} = 1`), // the secret as a key
  );

type Edit = { at: number; op: "insert" | "delete" | "replace"; text: string };

function applyEdits(text: string, edits: readonly Edit[]): string {
  const lines = text.split("\n");
  for (const e of edits) {
    const i = e.at % (lines.length + 1);
    if (e.op === "insert") lines.splice(i, 0, e.text);
    else if (e.op === "delete") lines.splice(i, 1);
    else lines[Math.min(i, lines.length - 1)] = e.text;
  }
  return lines.join("\n");
}

suite("parseConfig (fuzz)", () => {
  it("the valid base config parses", () => {
    const cfg = parseConfig(baseConfig("sk-secret-123", "org-secret-9"), { source: SOURCE, env: { ANTHROPIC_API_KEY: "sk-ant-xyz12345" } });
    expect(cfg.providers[0]?.api_key).toBe("sk-secret-123");
  });

  it("arbitrary text: a Config or a ConfigError with every line prefixed by the source", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (text) => check(text, {}, [])),
      budget(3000),
    );
  });

  it("arbitrary TOML-ish lines: a Config or a well-formed ConfigError", () => {
    fc.assert(
      fc.property(
        secretArb.chain((secret) => fc.array(line(secret), { maxLength: 12 })),
        (lines) => check(lines.join("\n"), {}, []),
      ),
      budget(3000),
    );
  });

  it("mutations of a valid config: a Config or a ConfigError that never shows the api_key / header secrets", () => {
    const arb = fc.tuple(secretArb, secretArb, secretArb).chain(([secret, headerSecret, envSecret]) =>
      fc.tuple(
        fc.constant([secret, headerSecret, envSecret] as const),
        fc.array(
          fc.record({ at: fc.nat(), op: fc.constantFrom("insert", "insert", "delete", "replace") as fc.Arbitrary<Edit["op"]>, text: line(secret) }),
          { minLength: 1, maxLength: 5 },
        ),
      ),
    );
    fc.assert(
      fc.property(arb, ([[secret, headerSecret, envSecret], edits]) => {
        const text = applyEdits(baseConfig(secret, headerSecret), edits);
        // A secret is one only while the line that makes it secret survives the edits: an edit may
        // replace `api_key = "<secret>"` itself, leaving the string as an ordinary value of another key.
        const stillSecret = [
          ...(text.includes(`api_key = "${secret}"`) ? [secret] : []),
          ...(text.includes(`"OpenAI-Organization" = "${headerSecret}"`) ? [headerSecret] : []),
          ...(text.includes("api_key = \"${ANTHROPIC_API_KEY}\"") ? [envSecret] : []),
        ];
        check(text, { ANTHROPIC_API_KEY: envSecret }, stillSecret);
      }),
      budget(3000),
    );
  });
});
