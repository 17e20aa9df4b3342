/**
 * hoosh.toml schema: every key, its type, default and meaning. Keys are snake_case in TOML and in
 * the `Config` type alike. Unknown keys and tables are errors. Any string value may use `${VAR}`,
 * `${VAR:-default}` and `$${` (literal "${"), expanded before validation (see env.ts).
 *
 * [server]
 *   bind                 string   "127.0.0.1"  IP address (v4 or v6) or "localhost" to listen on
 *   port                 int      8088         0..65535; 0 picks a free (ephemeral) port
 *   shutdown_grace_ms    int      10000        >= 0; how long in-flight requests may finish on shutdown
 *   max_body_bytes       int      4194304      >= 1; largest request body accepted (4 MiB)
 *   request_timeout_ms   int      600000       >= 1; overall deadline of one request
 *
 * [router]
 *   strategy             enum     "priority"   priority | round-robin | lowest-latency | direct | weighted
 *   fallback             bool     true         try the next provider when one fails
 *   max_attempts         int      3            1..10; providers tried per request at most
 *
 * [[providers]]          array of tables, may be empty
 *   name                 string   (required)   /^[a-z0-9][a-z0-9._-]*$/, unique among providers
 *   type                 enum     (required)   wire protocol: openai | anthropic | gemini | ollama | local
 *   base_url             string   (required*)  http:// or https:// URL; *optional for type "local"
 *   api_key              string   (none)       SECRET; never printed in logs or errors
 *   headers              table    {}           extra HTTP headers, name = "value"; values are SECRETS
 *   models               array    (required)   non-empty list of model globs, e.g. ["gpt-*", "o*"]
 *   priority             int      100          lower is tried first
 *   weight               int      1            >= 1; share of traffic for the "weighted" strategy
 *   enabled              bool     true         false keeps the entry but never routes to it
 *   max_connections      int      64           1..1024; pooled connections to this upstream
 *   [providers.timeouts]
 *     connect_ms         int      5000         >= 1; TCP/TLS connect
 *     first_byte_ms      int      60000        >= 1; until the first response byte
 *     idle_ms            int      60000        >= 1; longest gap between stream chunks
 *
 * [[budgets]]            array of tables, may be empty
 *   name                 string   (required)   /^[a-z0-9][a-z0-9._-]*$/, unique among budgets
 *   capacity             int      (none)       >= 0; tokens per period
 *   capacity_usd_micros  int      (none)       >= 0; spend per period in micro-USD (1 USD = 1000000)
 *                                              at least one of capacity / capacity_usd_micros is required
 *   period               enum     "none"       none | hourly | daily | monthly (when the budget refills)
 */
import { isIP } from "node:net";
import { z } from "zod";
import { PRESET_NAMES, PRESETS } from "./presets.js";
import { maskUrl } from "./secrets.js";

export const PROVIDER_TYPES = ["openai", "anthropic", "gemini", "ollama", "local"] as const;
export const ROUTER_STRATEGIES = ["priority", "round-robin", "lowest-latency", "direct", "weighted"] as const;
export const BUDGET_PERIODS = ["none", "hourly", "daily", "monthly"] as const;
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Run cross-field checks even when a sibling field already failed, so all problems show at once. */
const ALWAYS = { when: () => true };

const int = (min?: number, max?: number) => {
  let s = z.int();
  if (min !== undefined) s = s.min(min);
  if (max !== undefined) s = s.max(max);
  return s;
};

const name = z.string().superRefine((s, ctx) => {
  if (!NAME_PATTERN.test(s)) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(s)} is not a valid name (lowercase letters, digits, ".", "_", "-"; starting with a letter or digit)`,
    });
  }
});

const bindAddress = z.string().superRefine((s, ctx) => {
  if (s !== "localhost" && isIP(s) === 0) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not an IP address or "localhost"` });
  }
});

const httpUrl = z.string().superRefine((s, ctx) => {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a URL (expected http://… or https://…)` });
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(maskUrl(url))} has scheme "${url.protocol.slice(0, -1)}"; allowed: http, https`,
    });
  }
});

const headers = z
  .record(
    z.string(),
    z.string().superRefine((v, ctx) => {
      if (/[\r\n\0]/.test(v)) ctx.addIssue({ code: "custom", message: "header value must not contain line breaks or NUL" });
    }),
  )
  .superRefine((h, ctx) => {
    if (typeof h !== "object" || h === null) return;
    for (const key of Object.keys(h)) {
      if (!HEADER_NAME.test(key)) {
        ctx.addIssue({ code: "custom", path: [key], message: "not a valid HTTP header name" });
      }
    }
  }, ALWAYS);

const timeouts = z
  .strictObject({
    connect_ms: int(1).default(5000),
    first_byte_ms: int(1).default(60_000),
    idle_ms: int(1).default(60_000),
  })
  .prefault({});

/** Circuit breaker: after `failures` consecutive upstream failures the provider is skipped for `cooldown_ms`, then probed. */
const breaker = z
  .strictObject({
    failures: int(1).default(5),
    cooldown_ms: int(1).default(30_000),
  })
  .prefault({});

const provider = z
  .strictObject({
    name,
    type: z.enum(PROVIDER_TYPES),
    base_url: httpUrl.optional(),
    api_key: z.string().optional(),
    headers: headers.default(() => ({})),
    models: z.array(z.string().min(1)).min(1),
    priority: int().default(100),
    weight: int(1).default(1),
    enabled: z.boolean().default(true),
    max_connections: int(1, 1024).default(64),
    timeouts,
    preset: z.enum(PRESET_NAMES).optional(),
    default_max_tokens: int(1).optional(),
    api_version: z.string().min(1).optional(),
    max_concurrency: int(1).optional(),
    rpm: int(1).optional(),
    tpm: int(1).optional(),
    breaker,
    probe_interval_ms: int(0).default(0),
  })
  .superRefine((p, ctx) => {
    if (p.preset !== undefined && Object.hasOwn(PRESETS, p.preset) && p.type !== PRESETS[p.preset].type) {
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: `${JSON.stringify(p.type)} conflicts with preset ${JSON.stringify(p.preset)} (which speaks ${PRESETS[p.preset].type}); remove type or the preset`,
      });
    }
  }, ALWAYS)
  .superRefine((p, ctx) => {
    const type: unknown = p.type;
    if (typeof type !== "string" || !(PROVIDER_TYPES as readonly string[]).includes(type)) return;
    if (type !== "local" && p.base_url === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["base_url"],
        message: `missing required key (every provider except type "local" needs one; this one has type "${type}")`,
      });
    }
  }, ALWAYS);

const budget = z
  .strictObject({
    name,
    capacity: int(0).optional(),
    capacity_usd_micros: int(0).optional(),
    period: z.enum(BUDGET_PERIODS).default("none"),
  })
  .superRefine((b, ctx) => {
    if (b.capacity === undefined && b.capacity_usd_micros === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "neither capacity (tokens) nor capacity_usd_micros is set; set at least one",
      });
    }
  }, ALWAYS);

/** Adds an issue on `[i].name` for every entry whose name an earlier entry already used. */
function uniqueNames(table: string, what: string) {
  return (entries: readonly unknown[], ctx: z.core.$RefinementCtx<unknown>): void => {
    if (!Array.isArray(entries)) return;
    const seen = new Map<string, number>();
    entries.forEach((entry: unknown, i) => {
      const n: unknown = typeof entry === "object" && entry !== null ? (entry as { name?: unknown }).name : undefined;
      if (typeof n !== "string") return;
      const first = seen.get(n);
      if (first === undefined) seen.set(n, i);
      else {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `duplicate ${what} name ${JSON.stringify(n)} (already used by ${table}[${first}])`,
        });
      }
    });
  };
}

export const serverSchema = z
  .strictObject({
    bind: bindAddress.default("127.0.0.1"),
    port: int(0, 65535).default(8088),
    shutdown_grace_ms: int(0).default(10_000),
    max_body_bytes: int(1).default(4 * 1024 * 1024),
    request_timeout_ms: int(1).default(600_000),
  })
  .prefault({});

export const routerSchema = z
  .strictObject({
    strategy: z.enum(ROUTER_STRATEGIES).default("priority"),
    fallback: z.boolean().default(true),
    max_attempts: int(1, 10).default(3),
    backoff_ms: int(1).default(100),
    backoff_max_ms: int(1).default(5_000),
    max_retry_after_ms: int(0).default(10_000),
  })
  .prefault({});

export const configSchema = z.strictObject({
  server: serverSchema,
  router: routerSchema,
  providers: z
    .array(provider)
    .superRefine(uniqueNames("providers", "provider"), ALWAYS)
    .default(() => []),
  budgets: z
    .array(budget)
    .superRefine(uniqueNames("budgets", "budget"), ALWAYS)
    .default(() => []),
  aliases: z.record(z.string().min(1), z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).default(() => ({})),
});

/** A validated configuration with every default applied. */
export type Config = z.output<typeof configSchema>;
/** What a hoosh.toml may contain (defaults not yet applied). */
export type ConfigInput = z.input<typeof configSchema>;
export type ServerConfig = Config["server"];
export type RouterConfig = Config["router"];
export type ProviderConfig = Config["providers"][number];
export type ProviderTimeouts = ProviderConfig["timeouts"];
export type BudgetConfig = Config["budgets"][number];
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export type RouterStrategy = (typeof ROUTER_STRATEGIES)[number];
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
