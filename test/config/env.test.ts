import { describe, expect, it } from "vitest";
import { ConfigError, expandEnv, parseConfig } from "../../server/config/index.js";
import { referencedValues, scrubEnvValues } from "../../server/config/env.js";

describe("expandEnv", () => {
  const env = { HOST: "example.com", EMPTY: "", KEY: "sk-live-1234" };

  const expand = (value: unknown) => expandEnv(value, env);

  it("replaces ${VAR} anywhere in a string, several times", () => {
    expect(expand("https://${HOST}/v1?h=${HOST}")).toEqual({
      value: "https://example.com/v1?h=example.com",
      issues: [],
      fromEnv: new Map([["https://example.com/v1?h=example.com", "https://${HOST}/v1?h=${HOST}"]]),
    });
  });

  it("uses the default when the variable is unset or empty", () => {
    expect(expand("${MISSING:-fallback}").value).toBe("fallback");
    expect(expand("${EMPTY:-fallback}").value).toBe("fallback");
    expect(expand("${HOST:-fallback}").value).toBe("example.com");
    expect(expand("${MISSING:-}").value).toBe("");
    expect(expand("${MISSING:-a:b-c d}").value).toBe("a:b-c d");
  });

  it("keeps a set-but-empty variable empty without a default", () => {
    expect(expand("x${EMPTY}y")).toEqual({ value: "xy", issues: [], fromEnv: new Map([["xy", "x${EMPTY}y"]]) });
  });

  it("$${ escapes a literal ${ and lone $ signs are kept", () => {
    expect(expand("$${HOST}").value).toBe("${HOST}");
    expect(expand("cost $5, $HOST, $$").value).toBe("cost $5, $HOST, $$");
    // Scanned left to right: a lone "$", then the "$${" escape.
    expect(expand("$$${HOST}").value).toBe("$${HOST}");
  });

  it("walks tables and arrays, leaves keys and non-strings alone", () => {
    const tree = { a: ["${HOST}", 1, true], "${HOST}": { b: "${KEY}" } };
    expect(expand(tree).value).toEqual({ a: ["example.com", 1, true], "${HOST}": { b: "sk-live-1234" } });
    expect(tree.a[0]).toBe("${HOST}"); // input untouched
  });

  it("reports every missing variable with its key path", () => {
    const r = expand({ providers: [{ api_key: "${A}", headers: { "X-B": "${B}" } }], x: "${HOST}" });
    expect(r.issues).toEqual([
      { path: "providers[0].api_key", message: "environment variable A is not set" },
      { path: 'providers[0].headers.X-B', message: "environment variable B is not set" },
    ]);
  });

  it("rejects malformed references, without echoing secret values", () => {
    expect(expand({ base_url: "http://${HOST" }).issues).toEqual([
      { path: "base_url", message: 'unterminated "${" (use ${NAME} or ${NAME:-default}; write $${ for a literal ${)' },
    ]);
    expect(expand({ url: "${1BAD}" }).issues).toEqual([
      { path: "url", message: 'invalid variable reference "${1BAD}" (use ${NAME} or ${NAME:-default}; write $${ for a literal ${)' },
    ]);
    expect(expand({ api_key: "${sk-9f8e7d}" }).issues).toEqual([
      { path: "api_key", message: "invalid variable reference (use ${NAME} or ${NAME:-default}; write $${ for a literal ${)" },
    ]);
  });
});

describe("env expansion in parseConfig", () => {
  const toml = [
    "[server]",
    'bind = "${BIND:-127.0.0.1}"',
    "[[providers]]",
    'name = "${NAME}"',
    'type = "openai"',
    'base_url = "https://${HOST:-api.openai.com}/v1"',
    'api_key = "${OPENAI_API_KEY}"',
    'headers = { "X-Literal" = "$${NOT_EXPANDED}" }',
    'models = ["${MODEL_PREFIX:-gpt}-*"]',
  ].join("\n");

  it("expands before validation", () => {
    const cfg = parseConfig(toml, { source: "t.toml", env: { NAME: "oai", OPENAI_API_KEY: "sk-abc", BIND: "0.0.0.0" } });
    expect(cfg.server.bind).toBe("0.0.0.0");
    expect(cfg.providers[0]).toMatchObject({
      name: "oai",
      base_url: "https://api.openai.com/v1",
      api_key: "sk-abc",
      headers: { "X-Literal": "${NOT_EXPANDED}" },
      models: ["gpt-*"],
    });
  });

  it("names the variable, never its value, in errors (values of 4 characters or more)", () => {
    const secret = "sk-live-0123456789";
    const err = () => parseConfig(toml, { source: "t.toml", env: { NAME: "oai", OPENAI_API_KEY: "k", BIND: secret } });
    expect(err).toThrow("t.toml: server.bind: \"${BIND}\" is not an IP address or \"localhost\"");
    expect(err).not.toThrow(secret);
    const name = () => parseConfig(toml, { source: "t.toml", env: { NAME: "Not A Name", OPENAI_API_KEY: "k" } });
    expect(name).toThrow("providers[0].name: \"${NAME}\"");
  });

  it("validates the expanded value", () => {
    expect(() => parseConfig(toml, { source: "t.toml", env: { NAME: "oai", OPENAI_API_KEY: "k", BIND: "any" } })).toThrow(
      't.toml: server.bind: "any" is not an IP address or "localhost"',
    );
  });

  it("never reads process.env", () => {
    process.env.HOOSH_TEST_ONLY_IN_PROCESS_ENV = "set";
    try {
      expect(() =>
        parseConfig('[[providers]]\nname = "a"\ntype = "local"\napi_key = "${HOOSH_TEST_ONLY_IN_PROCESS_ENV}"\nmodels = ["*"]', {
          source: "t.toml",
          env: {},
        }),
      ).toThrow(ConfigError);
    } finally {
      delete process.env.HOOSH_TEST_ONLY_IN_PROCESS_ENV;
    }
  });
});

describe("referencedValues / scrubEnvValues", () => {
  const env = { LONG: "abcdefgh", LONGER: "abcdefghij", SHORT: "abc", EMPTY: "", UNUSED: "zzzzzzzz" };
  it("finds the variables a text refers to (with or without a default), longest value first", () => {
    expect(referencedValues("a = \"${LONG}\"\nb = \"${LONGER:-x}\"\nc = \"${SHORT}\" d = \"${EMPTY}\" e = \"${MISSING}\"", env)).toEqual([
      ["LONGER", "abcdefghij"],
      ["LONG", "abcdefgh"],
    ]);
    expect(referencedValues("no references", env)).toEqual([]);
  });

  it("replaces every occurrence with ${NAME}, longer values first", () => {
    const values = referencedValues("${LONG} ${LONGER}", env);
    expect(scrubEnvValues("x abcdefghij y abcdefgh z abcdefgh", values)).toBe("x ${LONGER} y ${LONG} z ${LONG}");
    expect(scrubEnvValues("nothing here", values)).toBe("nothing here");
  });
});

describe("errors about a value from the environment show its ${NAME} text", () => {
  const LONG = `SECRETVALUE-${"a1b2c3d4e5".repeat(12)}`; // longer than the 100 characters an error shows
  const QUOTED = 'pa"ss\\word-xyz'; // JSON-escaped in a message
  const SHORT = "abc"; // below the scrubbed length
  const error = (toml: string): string => {
    try {
      parseConfig(toml, { source: "t.toml", env: { LONG, QUOTED, SHORT } });
    } catch (err) {
      return (err as ConfigError).message;
    }
    throw new Error("accepted");
  };
  it.each([
    ["a long value (cut in the message)", '[cache]\nscope = "${LONG}"', 'cache.scope: "${LONG}" is not one of: global, team, key'],
    ["a value with quotes and a backslash", '[cache]\nscope = "${QUOTED}"', 'cache.scope: "${QUOTED}" is not one of: global, team, key'],
    ["a short value", '[cache]\nscope = "${SHORT}"', 'cache.scope: "${SHORT}" is not one of: global, team, key'],
    ["a value inside other text", '[[providers]]\nname = "p"\ntype = "x-${LONG}"\nmodels = ["*"]', 'providers[0].type: "x-${LONG}" is not one of:'],
    ["a string where a number belongs", '[server]\nport = "${LONG}"', 'server.port: expected integer, got string "${LONG}"'],
  ])("%s", (_, toml, expected) => {
    const message = error(toml);
    expect(message).toContain(expected);
    for (const leak of ["SECRETVALUE", "a1b2c3d4e5", "word-xyz", '"abc"']) expect(message).not.toContain(leak);
  });
  it("a literal value (no ${...}) is still shown as written", () => {
    expect(error('[cache]\nscope = "everyone"')).toContain('cache.scope: "everyone" is not one of: global, team, key');
  });
});
