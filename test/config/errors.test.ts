import { describe, expect, it } from "vitest";
import { ConfigError, formatPath, parseConfig } from "../../server/config/index.js";

type Env = Record<string, string | undefined>;

/** The ConfigError thrown for `toml` (fails the test if parsing succeeds or throws something else). */
function errorOf(toml: string, env: Env = {}): ConfigError {
  try {
    parseConfig(toml, { source: "hoosh.toml", env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const messageOf = (toml: string, env?: Env): string => errorOf(toml, env).message;

const provider = (fields: string): string =>
  `[[providers]]\nname = "p"\ntype = "openai"\nbase_url = "https://api.example.com/v1"\nmodels = ["*"]\n${fields}`;

describe("one-line error messages (key path, value, what is allowed)", () => {
  const cases: [kind: string, toml: string, expected: string][] = [
    [
      "bad enum",
      `${provider("")}\n[[providers]]\nname = "q"\ntype = "opnai"\nbase_url = "http://x"\nmodels = ["*"]`,
      'hoosh.toml: providers[1].type: "opnai" is not one of: openai, anthropic, gemini, ollama, azure, bedrock, vertex, local, pocketsphinx, whisper, flite, whisper-server',
    ],
    [
      "bad router strategy",
      '[router]\nstrategy = "fastest"',
      'hoosh.toml: router.strategy: "fastest" is not one of: priority, round-robin, lowest-latency, direct, weighted',
    ],
    ["out-of-range port", "[server]\nport = 70000", "hoosh.toml: server.port: 70000 is not an integer in 0..65535"],
    ["negative port", "[server]\nport = -1", "hoosh.toml: server.port: -1 is not an integer in 0..65535"],
    ["fractional integer", "[server]\nport = 80.5", "hoosh.toml: server.port: 80.5 is not an integer in 0..65535"],
    ["below a lower bound", "[server]\nshutdown_grace_ms = -5", "hoosh.toml: server.shutdown_grace_ms: -5 is not an integer >= 0"],
    ["zero where > 0 is required", "[server]\nmax_body_bytes = 0", "hoosh.toml: server.max_body_bytes: 0 is not an integer >= 1"],
    ["max_attempts range", "[router]\nmax_attempts = 11", "hoosh.toml: router.max_attempts: 11 is not an integer in 1..10"],
    ["max_connections range", provider("max_connections = 2000"), "hoosh.toml: providers[0].max_connections: 2000 is not an integer in 1..1024"],
    ["timeout range", provider("timeouts = { idle_ms = 0 }"), "hoosh.toml: providers[0].timeouts.idle_ms: 0 is not an integer >= 1"],
    ["wrong type (string for integer)", '[server]\nport = "80"', 'hoosh.toml: server.port: expected integer, got string "80"'],
    ["wrong type (string for boolean)", '[router]\nfallback = "yes"', 'hoosh.toml: router.fallback: expected boolean, got string "yes"'],
    ["wrong type (string for array)", provider("").replace('models = ["*"]', 'models = "gpt-*"'), 'hoosh.toml: providers[0].models: expected array of strings, got string "gpt-*"'],
    ["wrong type (array of tables for table)", "[[server]]\nport = 1", "hoosh.toml: server: expected table, got array"],
    ["table instead of array of tables", '[providers]\nname = "x"', "hoosh.toml: providers: expected array of tables ([[providers]]), got table"],
    ["unknown key with did-you-mean", "[server]\nprot = 8080", 'hoosh.toml: server.prot: unknown key (did you mean "port"?)'],
    ["unknown key, common synonym", "[server]\nhost = \"0.0.0.0\"", 'hoosh.toml: server.host: unknown key (did you mean "bind"?)'],
    ["unknown key in a provider", provider('api_ky = "x"'), 'hoosh.toml: providers[0].api_ky: unknown key (did you mean "api_key"?)'],
    ["unknown key that belongs to another table", '[server]\nstrategy = "direct"', 'hoosh.toml: server.strategy: unknown key (did you mean "strategy" in [router]?)'],
    [
      "unknown key, nothing close",
      "[server]\nflavour = 4",
      "hoosh.toml: server.flavour: unknown key (allowed: bind, port, shutdown_grace_ms, max_body_bytes, request_timeout_ms, max_messages, max_audio_bytes, max_stream_duration_ms, max_header_bytes, max_concurrent_streams, max_in_flight, max_queued, queue_timeout_ms, max_event_loop_delay_ms, allowed_hosts, cors, workers)",
    ],
    [
      "workers with the memory store",
      "[server]\nworkers = 2",
      'hoosh.toml: server.workers: 2 needs a store the workers share: set [store] kind = "sqlite" (one machine) or "redis"; the memory store keeps budgets, usage, API keys made at run time and the request log per process',
    ],
    [
      "workers auto with the memory store",
      '[server]\nworkers = "auto"',
      'hoosh.toml: server.workers: "auto" needs a store the workers share: set [store] kind = "sqlite" (one machine) or "redis"; the memory store keeps budgets, usage, API keys made at run time and the request log per process',
    ],
    [
      "workers on sqlite with rate limits",
      '[server]\nworkers = 3\n[store]\nkind = "sqlite"\npath = "h.db"\n[[budgets]]\nname = "b"\ncapacity = 10\nrpm = 5\n' + provider("tpm = 100"),
      'hoosh.toml: server.workers: 3 with [store] kind = "sqlite" would count budgets[0].rpm, providers[0].tpm per process; set [store] kind = "redis" to share rate windows across workers, or run one worker',
    ],
    [
      "workers out of range",
      "[server]\nworkers = 0",
      'hoosh.toml: server.workers: 0 is not an integer in 1..256 or "auto"',
    ],
    [
      "workers not a number",
      '[server]\nworkers = "many"',
      'hoosh.toml: server.workers: "many" is not an integer in 1..256 or "auto"',
    ],
    ["unknown top-level table", '[logging]\nlevel = "debug"', "hoosh.toml: logging: unknown table (allowed: server, router, observability, providers, budgets, auth, keys, aliases, cache, log, store, mcp_servers, mcp, console)"],
    ["misspelt top-level table", "[servr]\nport = 1", 'hoosh.toml: servr: unknown table (did you mean "server"?)'],
    ["top-level key that belongs in a table", "port = 8080", 'hoosh.toml: port: unknown key (did you mean "port" in [server]?)'],
    [
      "missing required key (enum)",
      '[[providers]]\nname = "p"\nmodels = ["*"]',
      "hoosh.toml: providers[0].type: missing required key (one of: openai, anthropic, gemini, ollama, azure, bedrock, vertex, local, pocketsphinx, whisper, flite, whisper-server)",
    ],
    ["missing required key (string)", '[[providers]]\ntype = "local"\nmodels = ["*"]', "hoosh.toml: providers[0].name: missing required key (expected string)"],
    ["missing required key (array)", '[[providers]]\nname = "p"\ntype = "local"', "hoosh.toml: providers[0].models: missing required key (expected array of strings)"],
    [
      "base_url missing for a remote type",
      '[[providers]]\nname = "p"\ntype = "gemini"\nmodels = ["*"]',
      'hoosh.toml: providers[0].base_url: missing required key (every provider except types "local", "pocketsphinx", "whisper", "flite", "whisper-server", "bedrock", "vertex" needs one; this one has type "gemini")',
    ],
    [
      "duplicate provider names",
      '[[providers]]\nname = "a"\ntype = "local"\nmodels = ["*"]\n[[providers]]\nname = "b"\ntype = "local"\nmodels = ["*"]\n[[providers]]\nname = "a"\ntype = "local"\nmodels = ["*"]',
      'hoosh.toml: providers[2].name: duplicate provider name "a" (already used by providers[0])',
    ],
    [
      "duplicate budget names",
      '[[budgets]]\nname = "x"\ncapacity = 1\n[[budgets]]\nname = "x"\ncapacity = 2',
      'hoosh.toml: budgets[1].name: duplicate budget name "x" (already used by budgets[0])',
    ],
    [
      "invalid name",
      '[[providers]]\nname = "Open AI"\ntype = "local"\nmodels = ["*"]',
      'hoosh.toml: providers[0].name: "Open AI" is not a valid name (lowercase letters, digits, ".", "_", "-"; starting with a letter or digit)',
    ],
    [
      "bad URL",
      provider("").replace("https://api.example.com/v1", "api.example.com/v1"),
      'hoosh.toml: providers[0].base_url: "api.example.com/v1" is not a URL (expected http://… or https://…)',
    ],
    [
      "bad URL scheme",
      provider("").replace("https://api.example.com/v1", "ftp://files.example.com/v1"),
      'hoosh.toml: providers[0].base_url: "ftp://files.example.com/v1" has scheme "ftp"; allowed: http, https',
    ],
    [
      "bad URL scheme, credentials and query masked",
      provider("").replace("https://api.example.com/v1", "ws://user:hunter22@h.example/v1?key=AIzaSecret"),
      'hoosh.toml: providers[0].base_url: "ws://<redacted>@h.example/v1?<redacted>" has scheme "ws"; allowed: http, https',
    ],
    ["empty models array", provider("").replace('models = ["*"]', "models = []"), "hoosh.toml: providers[0].models: expected at least 1 entry, got []"],
    ["empty model pattern", provider("").replace('models = ["*"]', 'models = ["gpt-*", ""]'), 'hoosh.toml: providers[0].models[1]: expected a non-empty string, got ""'],
    ["missing env var", provider('api_key = "${OPENAI_API_KEY}"'), "hoosh.toml: providers[0].api_key: environment variable OPENAI_API_KEY is not set"],
    [
      "budget with neither capacity",
      '[[budgets]]\nname = "default"\nperiod = "daily"',
      "hoosh.toml: budgets[0]: neither capacity (tokens) nor capacity_usd_micros is set; set at least one",
    ],
    ["bad budget period", '[[budgets]]\nname = "b"\ncapacity = 1\nperiod = "weekly"', 'hoosh.toml: budgets[0].period: "weekly" is not one of: none, hourly, daily, monthly'],
    ["bad store on_unavailable", '[store]\non_unavailable = "retry"', 'hoosh.toml: store.on_unavailable: "retry" is not one of: fail-closed, fail-open'],
    ["semantic threshold above 1", '[cache]\nsemantic_threshold = 1.5', "hoosh.toml: cache.semantic_threshold: 1.5 is not a number in 0..1"],
    ["bad cache charge_hits", '[cache]\ncharge_hits = "yes"', 'hoosh.toml: cache.charge_hits: expected boolean, got string "yes"'],
    [
      "local temperature out of range",
      '[[providers]]\nname = "l"\ntype = "local"\nmodels = ["m"]\nlocal = { model_path = "/m.gguf", temperature = 2.5 }',
      "hoosh.toml: providers[0].local.temperature: 2.5 is not a number in 0..2",
    ],
    [
      "bad local chat_template",
      '[[providers]]\nname = "l"\ntype = "local"\nmodels = ["m"]\nlocal = { model_path = "/m.gguf", chat_template = "chatml" }',
      'hoosh.toml: providers[0].local.chat_template: "chatml" is not one of: auto, model, base-model',
    ],
    [
      "more local contexts than sequences",
      '[[providers]]\nname = "l"\ntype = "local"\nmodels = ["m"]\nlocal = { model_path = "/m.gguf", contexts = 3, sequences = 2 }',
      "hoosh.toml: providers[0].local.contexts: 3 is more than sequences (2): every context needs at least one sequence",
    ],
    [
      "bad local threads",
      '[[providers]]\nname = "l"\ntype = "local"\nmodels = ["m"]\nlocal = { model_path = "/m.gguf", threads = "all" }',
      'hoosh.toml: providers[0].local.threads: "all" is not valid here (expected an integer in 1..256 or "auto")',
    ],
    ["TOML syntax error", "[server]\nport = = 8080", "hoosh.toml: line 2, column 8: TOML syntax error: invalid value"],
    ["TOML unfinished string", '[server]\nbind = "127.0.0.1', "hoosh.toml: line 2, column 8: TOML syntax error: unfinished string"],
    ["TOML redefined table", "[server]\nport = 1\n[server]\nport = 2", "hoosh.toml: line 3, column 2: TOML syntax error: trying to redefine an already defined table or value"],
    ["bad bind address", '[server]\nbind = "0.0.0.0.0"', 'hoosh.toml: server.bind: "0.0.0.0.0" is not an IP address or "localhost"'],
    ["hostname as bind address", '[server]\nbind = "example.com"', 'hoosh.toml: server.bind: "example.com" is not an IP address or "localhost"'],
    ["invalid header name", provider('headers = { "X Bad" = "v" }'), 'hoosh.toml: providers[0].headers."X Bad": not a valid HTTP header name'],
    ["datetime where an integer belongs", "[server]\nport = 1979-05-27", "hoosh.toml: server.port: expected integer, got datetime 1979-05-27"],
  ];

  it.each(cases)("%s", (_kind, toml, expected) => {
    expect(messageOf(toml)).toBe(expected);
  });

  it("covers at least 12 kinds", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });
});

describe("ConfigError", () => {
  it("reports every problem, one per line, and exposes them as issues", () => {
    const err = errorOf('[server]\nport = "80"\nbind = "nowhere"\n[router]\nstratgy = "direct"\n[[budgets]]\nname = "b"');
    expect(err.message.split("\n")).toEqual([
      'hoosh.toml: server.bind: "nowhere" is not an IP address or "localhost"',
      'hoosh.toml: server.port: expected integer, got string "80"',
      'hoosh.toml: router.stratgy: unknown key (did you mean "strategy"?)',
      "hoosh.toml: budgets[0]: neither capacity (tokens) nor capacity_usd_micros is set; set at least one",
    ]);
    expect(err.source).toBe("hoosh.toml");
    expect(err.name).toBe("ConfigError");
    expect(err.issues[1]).toEqual({ path: "server.port", message: 'expected integer, got string "80"' });
  });

  it("reports cross-field problems alongside field errors", () => {
    const err = errorOf(
      '[[providers]]\nname = "a"\ntype = "local"\nmodels = []\n[[providers]]\nname = "a"\ntype = "openai"\nmodels = ["*"]',
    );
    expect(err.message.split("\n")).toEqual([
      "hoosh.toml: providers[0].models: expected at least 1 entry, got []",
      'hoosh.toml: providers[1].base_url: missing required key (every provider except types "local", "pocketsphinx", "whisper", "flite", "whisper-server", "bedrock", "vertex" needs one; this one has type "openai")',
      'hoosh.toml: providers[1].name: duplicate provider name "a" (already used by providers[0])',
    ]);
  });

  it("keeps every line on one line even if a message had a newline", () => {
    const err = new ConfigError("src", [{ path: "a.b", message: "one\ntwo" }]);
    expect(err.message).toBe("src: a.b: one two");
  });

  it("formats paths TOML-style", () => {
    expect(formatPath([])).toBe("(root)");
    expect(formatPath(["providers", 1, "type"])).toBe("providers[1].type");
    expect(formatPath(["providers", 0, "headers", "X Odd.Name"])).toBe('providers[0].headers."X Odd.Name"');
  });
});

describe("secrets never appear in errors", () => {
  const KEY = "sk-proj-9fQx2LmZp7Rt4Wv8Yb1Nc6Hd3Jk5";

  it("redacts a wrongly typed header value and does not print the api_key", () => {
    const err = errorOf(provider(`api_key = "${KEY}"\nheaders = { "X-Api-Key" = 31337, Authorization = "Bearer ${KEY}" }`));
    expect(err.message).toBe("hoosh.toml: providers[0].headers.X-Api-Key: expected string, got integer <redacted>");
    expect(err.message).not.toContain("31337");
    expect(err.message).not.toContain(KEY);
  });

  it("redacts a wrongly typed api_key and headers table", () => {
    expect(messageOf(provider("api_key = 123456789"))).toBe(
      "hoosh.toml: providers[0].api_key: expected string, got integer <redacted>",
    );
    expect(messageOf(provider(`headers = "Bearer ${KEY}"`))).toBe(
      "hoosh.toml: providers[0].headers: expected table, got string <redacted>",
    );
    expect(messageOf(provider(`api_key = ["${KEY}"]`))).toBe("hoosh.toml: providers[0].api_key: expected string, got array <redacted>");
  });

  const leaky: [kind: string, toml: string, env?: Env][] = [
    ["another field is invalid", `${provider(`api_key = "${KEY}"`)}\n[server]\nport = 99999`],
    ["a misspelt secret key", provider(`api_ky = "${KEY}"`)],
    ["a syntax error on the key's line", provider(`api_key = "${KEY}" trailing`)],
    ["a syntax error next to the key", `${provider(`api_key = "${KEY}"`)}\npriority = = 1`],
    ["the key pasted into base_url too", provider(`api_key = "${KEY}"`).replace("https://api.example.com/v1", KEY)],
    ["the key, from env, used by mistake as base_url", provider('api_key = "${OPENAI_API_KEY}"').replace("https://api.example.com/v1", "${OPENAI_API_KEY}"), { OPENAI_API_KEY: KEY }],
    ["the key used as a provider name", provider(`api_key = "${KEY}"`).replace('name = "p"', `name = "${KEY}"\n# ${KEY}`)],
    ["the key in an unknown table", `[secrets]\nopenai = "${KEY}"`],
    ["a malformed reference in the key", provider(`api_key = "\${${KEY}"`)],
  ];

  it.each(leaky)("with %s", (_kind, toml, env) => {
    const err = errorOf(toml, env);
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain(KEY.slice(8));
    expect(err.message).toMatch(/^hoosh\.toml: /);
  });

  it("scrubs a secret that leaks through a non-secret value", () => {
    const toml = provider('api_key = "${OPENAI_API_KEY}"').replace("https://api.example.com/v1", "${OPENAI_API_KEY}");
    expect(messageOf(toml, { OPENAI_API_KEY: KEY })).toBe(
      'hoosh.toml: providers[0].base_url: "<redacted>" is not a URL (expected http://… or https://…)',
    );
  });
});
