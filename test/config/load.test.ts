import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  loadConfigFile,
  loadDefaultConfig,
  parseConfig,
  type Config,
} from "../../server/config/index.js";

const FULL = fileURLToPath(new URL("../fixtures/config/full.toml", import.meta.url));
const ENV = { OPENAI_API_KEY: "sk-test-openai", ANTHROPIC_API_KEY: "sk-ant-test" };

const defaultTimeouts = { connect_ms: 5000, first_byte_ms: 60000, idle_ms: 60000 };
const defaultBackoff = { backoff_ms: 100, backoff_max_ms: 5000, max_retry_after_ms: 10000, context_window: "refuse" as const };
/** Tables every config gets when it does not set them. */
const storeDefaults = { command_timeout_ms: 1000, finished_retention_ms: 3_600_000, outbox_path: "outbox.db" } as const;
const tableDefaults = {
  observability: { metrics_path: "/metrics", metrics_require_key: false, log_level: "info", log_prompts: false, max_model_labels: 200 },
  cache: { mode: "deterministic", max_bytes: 64 * 1024 * 1024, default_ttl_seconds: 300, max_ttl_seconds: 86400, shared: true, shared_max_entry_bytes: 1024 * 1024, shared_timeout_ms: 100, charge_hits: false, scope: "team", semantic_threshold: 0.95, semantic_max_entries: 10_000 },
  store: { kind: "memory", prefix: "hoosh:", on_unavailable: "fail-closed", ...storeDefaults },
  log: { enabled: true, payloads: false, redact: [] as string[], max_payload_chars: 8192, retention_days: 7, max_rows: 1_000_000 },
} as const;
const serverLimits = { max_messages: 2048, max_audio_bytes: 25 * 1024 * 1024, max_header_bytes: 16384, max_concurrent_streams: 100, max_in_flight: 1024, max_queued: 1024, queue_timeout_ms: 5000, max_event_loop_delay_ms: 0, workers: 1 as const };
const authDefaults = { auth: { open_health: true, open_reflection: true, allow_unauthenticated_remote: false }, keys: [] };
const providerDefaults = { breaker: { failures: 5, cooldown_ms: 30000 }, probe_interval_ms: 0 };

describe("embedded default config", () => {
  it("ships next to the module", () => {
    expect(existsSync(DEFAULT_CONFIG_PATH)).toBe(true);
  });

  it("loads with every default applied", () => {
    const expected: Config = {
      server: {
        bind: "127.0.0.1",
        port: 8088,
        shutdown_grace_ms: 10000,
        max_body_bytes: 4 * 1024 * 1024,
        request_timeout_ms: 600000,
        ...serverLimits,
      },
      router: { strategy: "priority", fallback: true, max_attempts: 3, ...defaultBackoff },
      providers: [
        {
          name: "embedded",
          type: "local",
          headers: {},
          models: ["gemma3-270m"],
          priority: 100,
          weight: 1,
          enabled: true,
          max_connections: 64,
          timeouts: defaultTimeouts,
          ...providerDefaults,
          local: {
            model_path: "~/.local/share/hoosh/models/gemma3-270m-q4_k_m.gguf",
            threads: "auto",
            contexts: "auto",
            context_size: 2048,
            sequences: 4,
            max_queue: 16,
            load: "startup",
            idle_unload_ms: 600000,
            chat_template: "auto",
            temperature: 0.2,
          },
        },
        {
          name: "speech-to-text",
          type: "whisper-server",
          headers: {},
          models: ["whisper-tiny.en"],
          priority: 100,
          weight: 1,
          enabled: true,
          max_connections: 64,
          timeouts: defaultTimeouts,
          ...providerDefaults,
        },
        {
          name: "text-to-speech",
          type: "flite",
          headers: {},
          models: ["flite"],
          priority: 100,
          weight: 1,
          enabled: true,
          max_connections: 64,
          timeouts: defaultTimeouts,
          ...providerDefaults,
        },
      ],
      budgets: [{ name: "default", capacity: 1000000, period: "none" }],
      aliases: { default: "gemma3-270m", "whisper-1": "whisper-tiny.en", "tts-1": "flite", "tts-1-hd": "flite" },
      ...authDefaults,
      ...tableDefaults,
      store: { kind: "sqlite", path: "hoosh.db", prefix: "hoosh:", on_unavailable: "fail-closed", ...storeDefaults },
    };
    expect(loadDefaultConfig({})).toEqual(expected);
  });

  it("needs no environment", () => {
    expect(loadDefaultConfig().providers[0]?.api_key).toBeUndefined();
  });

  it("returns a fresh object each time", () => {
    const a = loadDefaultConfig({});
    a.providers[0]!.headers["X-Mutated"] = "1";
    expect(loadDefaultConfig({}).providers[0]!.headers).toEqual({});
  });
});

describe("parseConfig", () => {
  it("an empty file is a valid config made of defaults", () => {
    const cfg = parseConfig("", { source: "empty.toml", env: {} });
    expect(cfg).toEqual({
      server: {
        bind: "127.0.0.1",
        port: 8088,
        shutdown_grace_ms: 10000,
        max_body_bytes: 4194304,
        request_timeout_ms: 600000,
        ...serverLimits,
      },
      router: { strategy: "priority", fallback: true, max_attempts: 3, ...defaultBackoff },
      providers: [],
      budgets: [],
      aliases: {},
      ...tableDefaults,
      ...authDefaults,
    });
  });

  it("a full file round-trips with defaults applied", async () => {
    const cfg = await loadConfigFile(FULL, ENV);
    const expected: Config = {
      server: {
        bind: "::1",
        port: 9090,
        shutdown_grace_ms: 0,
        max_body_bytes: 1048576,
        request_timeout_ms: 120000,
        ...serverLimits,
      },
      router: { strategy: "weighted", fallback: false, max_attempts: 5, ...defaultBackoff },
      providers: [
        {
          name: "openai",
          type: "openai",
          base_url: "https://api.openai.com/v1",
          api_key: "sk-test-openai",
          headers: { "OpenAI-Organization": "org-default" },
          models: ["gpt-*", "o*"],
          priority: 10,
          weight: 3,
          enabled: true,
          max_connections: 128,
          timeouts: { connect_ms: 2000, first_byte_ms: 30000, idle_ms: 15000 },
          ...providerDefaults,
        },
        {
          name: "claude",
          type: "anthropic",
          base_url: "https://api.anthropic.com",
          api_key: "sk-ant-test",
          headers: {},
          models: ["claude-*"],
          priority: 100,
          weight: 1,
          enabled: false,
          max_connections: 64,
          timeouts: defaultTimeouts,
          ...providerDefaults,
        },
        {
          name: "gemma.local",
          type: "local",
          headers: {},
          models: ["gemma-*"],
          priority: 100,
          weight: 1,
          enabled: true,
          max_connections: 64,
          timeouts: defaultTimeouts,
          ...providerDefaults,
        },
      ],
      budgets: [
        { name: "default", capacity: 1000000, period: "daily" },
        { name: "team-a_usd", capacity_usd_micros: 50000000, period: "monthly" },
      ],
      aliases: {},
      ...tableDefaults,
      ...authDefaults,
    };
    expect(cfg).toEqual(expected);
  });

  it("accepts every documented enum value and boundary", () => {
    for (const strategy of ["priority", "round-robin", "lowest-latency", "direct", "weighted"]) {
      expect(parseConfig(`[router]\nstrategy = "${strategy}"`, { source: "t", env: {} }).router.strategy).toBe(strategy);
    }
    for (const type of ["openai", "anthropic", "gemini", "ollama", "local"]) {
      const cfg = parseConfig(`[[providers]]\nname = "p"\ntype = "${type}"\nbase_url = "http://h"\nmodels = ["*"]`, {
        source: "t",
        env: {},
      });
      expect(cfg.providers[0]?.type).toBe(type);
    }
    for (const bind of ["localhost", "0.0.0.0", "::", "10.1.2.3"]) {
      expect(parseConfig(`[server]\nbind = "${bind}"`, { source: "t", env: {} }).server.bind).toBe(bind);
    }
    expect(parseConfig("[server]\nport = 0", { source: "t", env: {} }).server.port).toBe(0);
    expect(parseConfig("[server]\nport = 65535", { source: "t", env: {} }).server.port).toBe(65535);
    expect(parseConfig('[[budgets]]\nname = "b"\ncapacity = 0', { source: "t", env: {} }).budgets[0]?.capacity).toBe(0);
  });
});

describe("loadConfigFile", () => {
  it("names the path and the OS reason when the file cannot be read", async () => {
    const path = "/nonexistent/dir/hoosh.toml";
    const err = await loadConfigFile(path, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      "/nonexistent/dir/hoosh.toml: (file): cannot read config file: no such file or directory (ENOENT)",
    );
  });

  it("uses the file path as the source of validation errors", async () => {
    const err = await loadConfigFile(FULL, {}).catch((e: unknown) => e);
    expect((err as ConfigError).message).toBe(
      [
        `${FULL}: providers[0].api_key: environment variable OPENAI_API_KEY is not set`,
        `${FULL}: providers[1].api_key: environment variable ANTHROPIC_API_KEY is not set`,
      ].join("\n"),
    );
  });
});
