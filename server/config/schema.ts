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
 *   max_messages         int      2048         >= 1; messages in one chat request (more → INVALID_ARGUMENT)
 *   max_audio_bytes      int      26214400     >= 1; audio bytes in one transcription (25 MiB)
 *   max_stream_duration_ms int    (request_timeout_ms)  >= 1; longest a streaming call may run
 *   max_in_flight        int      1024         >= 1; inference requests served at once (streams until they end)
 *   max_queued           int      1024         >= 0; requests waiting for a slot; more are RESOURCE_EXHAUSTED (429)
 *   queue_timeout_ms     int      5000         >= 1; longest wait for a slot, then RESOURCE_EXHAUSTED (429)
 *   max_event_loop_delay_ms int   0            >= 0; 0 off; while the event loop runs later than this (the process
 *                                              has more work than CPU), new requests are UNAVAILABLE (503)
 *   max_header_bytes     int      16384        >= 1024; request header size (HTTP/1.1 431; HTTP/2 header list)
 *   max_concurrent_streams int    100          >= 1; HTTP/2 streams open at once per connection
 *   workers              int|"auto" 1          1..256 or "auto" (one per core): processes serving the one port
 *                                              (node:cluster; the primary only supervises); more than 1 needs
 *                                              [store] kind "sqlite" or "redis", and "redis" for rpm/tpm limits
 *
 *   allowed_hosts        array    (by bind)    Host header values accepted on every surface (DNS rebinding protection):
 *                                              default localhost, 127.0.0.1 and [::1] (any port) on a loopback bind,
 *                                              any host otherwise; a name is any port, "name:port" that port only;
 *                                              other hosts get 403
 *
 * [server.cors]          off unless allowed_origins lists some: browsers on those origins may call every surface
 *   allowed_origins      array    []           exact origins ("https://app.example.com") or "*"
 *   allowed_headers      array    []           request headers allowed besides hoosh's own (authorization, content-type, grpc/connect headers, ...)
 *   allowed_methods      array    ["GET","POST","DELETE","OPTIONS"]
 *   max_age_seconds      int      600          >= 0; how long a browser may cache a preflight answer
 *
 * [auth]
 *   open_health          bool     true         grpc.health.v1 answers without a key
 *   open_reflection      bool     true         gRPC server reflection answers without a key
 *   allow_unauthenticated_remote bool false    serve on a non-loopback server.bind with no [[keys]]
 *
 * [[keys]]               array of tables; none = auth off (and serve only on loopback)
 *   id                   string   (required)   /^[a-z0-9][a-z0-9._-]*$/, unique; names the key in errors and logs
 *   hash                 string   (required)   sha256 hex of the key (`hoosh keys hash`); the key itself is never stored
 *   scopes               array    (required)   inference | transcribe | budgets:read | budgets:write | tools | admin (admin grants all)
 *   models               array    ["*"]        model globs this key may use (every model a request reaches: aliases, fallbacks)
 *   tools                array    []           globs over exposed MCP names ("server.tool"; also prompts and resource
 *                                              names) this key may list and call; none: no tool (even for admin)
 *   tool_rpm             int      (none)       >= 1; MCP tool calls per minute for this key (all servers together)
 *   default_pool         string   (none)       budget pool charged when the request names none; without it, the pool "default"
 *   pools                array    []           globs of further budget pools this key may charge, read and (budgets:write) reserve in
 *   rpm                  int      (none)       >= 1; requests per minute for this key (sliding 60 s window)
 *   tpm                  int      (none)       >= 1; tokens (input + output) per minute for this key; a request is
 *                                              refused once the last 60 s used that many (tokens count when a call ends)
 *   enabled              bool     true         false rejects the key (401)
 *
 * [router]
 *   strategy             enum     "priority"   priority | round-robin | lowest-latency | direct | weighted
 *   fallback             bool     true         try the next provider when one fails
 *   max_attempts         int      3            1..10; providers tried per request at most
 *   context_window       enum     "refuse"     refuse | clamp | off; a chat request whose prompt plus max_tokens exceeds
 *                                              the model's window (data/models.json) is INVALID_ARGUMENT, or gets max_tokens
 *                                              lowered to what is left, or goes upstream unchecked
 *
 * [[providers]]          array of tables, may be empty
 *   name                 string   (required)   /^[a-z0-9][a-z0-9._-]*$/, unique among providers
 *   type                 enum     (required)   wire protocol: openai | anthropic | gemini | ollama | azure | bedrock | vertex | local
 *   base_url             string   (required*)  http:// or https:// URL; *optional for type "local", and derived for
 *                                              "bedrock" (region) and "vertex" (location) when unset
 *   region, project, location, deployments, credentials, tls, proxy: see upstream.ts
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
 *   [providers.local]    table    (none)       type "local" only (in-process llama.cpp); needed to start one
 *     model_path         string   (required)   GGUF file; "~/" is the home folder, relative paths are relative to
 *                                              the config file's folder (`hoosh models pull` writes to
 *                                              ${HOOSH_DATA_DIR:-~/.local/share/hoosh}/models); checked at startup
 *     threads            int|"auto" "auto"     1..256 llama.cpp threads per context; "auto": 1 on machines with <= 2
 *                                              cores, else cores - 1
 *     contexts           int|"auto" "auto"     1..64, at most sequences: llama.cpp contexts the sequences are spread
 *                                              over, each decoding on its own threads; "auto": min(sequences,
 *                                              2 x cores, libuv pool size - 2) on machines with <= 2 cores, else 1
 *                                              (server/engines/llm/threads.ts)
 *     context_size       int      2048         16..1048576; tokens per sequence
 *     sequences          int      1            1..64; requests generating at once (each needs its own KV cache)
 *     max_queue          int      16           >= 0; requests waiting for a sequence; more → RESOURCE_EXHAUSTED
 *     load               enum     "first-use"  startup | first-use (when the weights are read into memory)
 *     idle_unload_ms     int      600000       >= 0; free the memory after this long without requests; 0 = never
 *     chat_template      enum     "auto"       auto | model | base-model: the GGUF's chat template ("model"), a
 *                                              few-shot conversation for models without chat training
 *                                              ("base-model"), or "model" when the GGUF has a template, else
 *                                              "base-model" ("auto")
 *     temperature        float    0.8          0..2; sampling temperature when a request sets none (llama.cpp's default)
 *
 * [[budgets]]            array of tables, may be empty
 *   name                 string   (required)   /^[a-z0-9][a-z0-9._-]*$/, unique among budgets
 *   capacity             int      (none)       >= 0; tokens per period
 *   capacity_usd_micros  int      (none)       >= 0; spend per period in micro-USD (1 USD = 1000000)
 *                                              at least one of capacity / capacity_usd_micros is required
 *   period               enum     "none"       none | hourly | daily | monthly (when the budget refills)
 *   rpm                  int      (none)       >= 1; requests per minute charged to this pool (sliding 60 s window)
 *   tpm                  int      (none)       >= 1; tokens per minute charged to this pool (as keys.tpm)
 *                                              rate windows are shared by replicas with [store] kind = "redis"
 *
 * [observability]
 *   metrics_path         string   "/metrics"   where Prometheus scrapes (GET); starts with "/"
 *   metrics_require_key  bool     false        true: /metrics needs an API key with the "admin" scope
 *   log_level            enum     "info"       debug | info | warn | error | silent
 *   log_prompts          bool     false        true: access log lines include the request's text
 *   otlp_endpoint        string   (none)       OTLP/HTTP collector base URL (spans go to <url>/v1/traces)
 *   audit_key            string   (none)       SECRET; HMAC key of the audit log's hash chain
 *   audit_path           string   (none)       audit log file (JSON lines); relative paths are under the
 *                                              data dir ($HOOSH_DATA_DIR or ~/.local/share/hoosh); none: in memory
 *   max_model_labels     int      200          1..10000; distinct unconfigured model label values before "other"
 *
 * [log]                  the request log: one record per request (server/core/requests), in the [store]
 *   enabled              bool     true         false: no request log (ListRequests and TailRequests answer nothing)
 *   payloads             bool     false        true: records carry the prompt and the answer, redacted
 *   redact               array    []           JavaScript regular expressions; matches in logged prompts and
 *                                              answers become "[REDACTED]" (after built-in ones for API keys,
 *                                              bearer tokens, AWS key ids and private keys)
 *   max_payload_chars    int      8192         >= 1; longer prompts and answers are cut
 *   retention_days       int      7            1..3650; older records are dropped
 *   max_rows             int      1000000      >= 1; beyond it the oldest records are dropped
 *   otlp_endpoint        string   (none)       OTLP/HTTP collector base URL: records are also sent as OTLP
 *                                              logs to <url>/v1/logs
 *
 * [cache]
 *   mode                 enum     "deterministic"  deterministic (temperature 0 or a seed) | all | off
 *   max_bytes            int      67108864     >= 0; byte cap of this process's LRU (serialized answers)
 *   default_ttl_seconds  int      300          >= 1; lifetime when the request's cache.ttl_seconds is unset
 *   max_ttl_seconds      int      86400        >= 1; largest lifetime a request may ask for
 *   shared               bool     true         with [store] kind = "redis": replicas share entries through Redis
 *                                              (a second tier behind the local LRU); false: per process only
 *   shared_max_entry_bytes int    1048576      >= 0; larger answers stay in this process's LRU only
 *   shared_timeout_ms    int      100          1..60000; longest a shared lookup waits for Redis before it is a miss
 *   charge_hits          bool     false        false: an answer from the cache costs 0 and charges no budget
 *                                              (its usage record still counts it); true: charged like any answer
 *   scope                enum     "team"       global | team | key: who shares cached answers (exact and semantic).
 *                                              team = keys of the same team (KeysService); a key without a team:
 *                                              keys with the same default_pool, else the key alone; key = each API
 *                                              key alone; global = every caller allowed the model
 *   semantic_model       string   (none)       an embedding model id (routed like any): turns on the semantic
 *                                              cache (a question close in meaning to one answered before, all
 *                                              else equal, gets its answer; unary and streams, per process)
 *   semantic_threshold   float    0.95         0..1; lowest cosine similarity that counts as the same question
 *   semantic_max_entries int      10000        >= 1; questions kept, oldest dropped first
 *
 * [[mcp_servers]]       array of tables, may be empty: MCP servers whose tools hoosh serves (server/mcp)
 *   name                 string   (required)   /^[a-z0-9][a-z0-9._-]*$/, unique; names the server in errors, logs, audit
 *   transport            enum     (required)   stdio (hoosh starts and supervises `command`) | http (Streamable HTTP `url`)
 *   command              string   (stdio)      program to start; found on PATH
 *   args                 array    []           its arguments
 *   env                  table    {}           SECRETS; the child's environment on top of a minimal one (HOME, LOGNAME,
 *                                              PATH, SHELL, TERM, USER); nothing else of hoosh's environment is passed
 *   cwd                  string   (none)       the child's working directory
 *   url                  string   (http)       http:// or https:// endpoint
 *   headers              table    {}           SECRETS; extra HTTP headers (e.g. authorization = "Bearer ${TOKEN}")
 *   namespace            string   (name)       exposed names are "namespace.tool"; "" exposes the server's own names
 *                                              (a name two servers share is then made unique); unique across servers
 *   tools                array    ["*"]        globs over the server's own tool names to serve
 *   deny_tools           array    []           globs over the server's own tool names never to serve (wins over tools)
 *   enabled              bool     true         false keeps the entry but never connects
 *   connect_timeout_ms   int      10000        >= 1; connecting and listing must finish in this time
 *   call_timeout_ms      int      60000        >= 1; a tool call past it is cancelled at the server (DEADLINE_EXCEEDED)
 *   max_concurrent_calls int      16           >= 1; calls in flight to this server; more wait in a queue
 *   max_queued_calls     int      64           >= 0; calls waiting; beyond it RESOURCE_EXHAUSTED
 *   rpm                  int      (none)       >= 1; tool calls per minute to this server (all keys together)
 *   max_argument_bytes   int      1048576      >= 1; largest JSON of one call's arguments
 *   [restart]            table                 stdio servers that exit are restarted after a backoff:
 *     initial_backoff_ms int      250            first wait, doubled per consecutive crash
 *     max_backoff_ms     int      30000          longest wait
 *     max_crashes        int      5              crashes within crash_window_ms that stop restarts (crash loop);
 *     crash_window_ms    int      60000          the server then stays down until a reload or restart
 *
 * [mcp]                  hoosh's own MCP endpoint (Streamable HTTP; every configured server's allowed tools,
 *                                              resources and prompts behind one URL)
 *   enabled              bool     true
 *   path                 string   "/mcp"       where it answers
 *   allowed_hosts        array    (server's)   Host header values accepted (DNS rebinding protection); default:
 *                                              [server] allowed_hosts, else as described there
 *   allowed_origins      array    (as hosts)   Origin header values accepted when one is sent (e.g. "http://localhost:3000")
 *   max_sessions         int      1000         >= 1; open MCP sessions; the one idle longest is closed to make room
 *   session_idle_ms      int      1800000      >= 1000; a session unused this long is closed
 *
 * [console]              the web console at /console/ on the server's port
 *   enabled              bool     (by bind)    default: true when server.bind is loopback, else false
 *
 * [store]
 *   kind                 enum     "memory"     memory | sqlite | redis (where budgets, usage and rate windows live)
 *   path                 string   (none)       kind "sqlite": the database file (required); "~/" is the home folder,
 *                                              a relative path is under the data dir ($HOOSH_DATA_DIR or
 *                                              ~/.local/share/hoosh); missing folders are made
 *   url                  string   (none)       kind "redis": redis://HOST:PORT/DB (required)
 *   prefix               string   "hoosh:"     kind "redis": key prefix
 *   on_unavailable       enum     "fail-closed"  fail-closed | fail-open: when the store cannot be reached, refuse
 *                                              requests (UNAVAILABLE), or admit them without a reservation or a
 *                                              rate check and charge their usage once the store is back
 *   command_timeout_ms   int      1000         kind "redis": longest wait for a script's reply, measured on
 *                                              Redis's round trip (not on a busy event loop); then UNAVAILABLE
 *   finished_retention_ms int     3600000      >= 60000: how long finished reservations and charge ids are kept,
 *                                              so a commit retried within it is charged once
 *   outbox_path          string   "outbox.db"  kinds sqlite/redis: the file where usage waits while the store
 *                                              cannot take it (relative: under the data dir); survives kill -9
 */
import { isIP } from "node:net";
import { z } from "zod";
import { PRESET_NAMES, PRESETS } from "./presets.js";
import { maskUrl } from "./secrets.js";
import { checkCloudKeys, credentialsTable, DERIVED_BASE_URL, proxySetting, tlsTable } from "./upstream.js";
import { mcpSchema, mcpServerSchema, uniqueMcpServers } from "./mcp-schema.js";
import { KEY_SCOPES } from "../core/keys/scopes.js";

export const PROVIDER_TYPES = ["openai", "anthropic", "gemini", "ollama", "azure", "bedrock", "vertex", "local", "pocketsphinx", "whisper", "flite", "whisper-server"] as const;
/** Provider types that run inside hoosh (or as its managed child) and need no base_url. */
const IN_PROCESS: readonly string[] = ["local", "pocketsphinx", "whisper", "flite", "whisper-server"];
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

/** An integer in min..max, or "auto" (the default: derived from the machine). */
const intOrAuto = (min: number, max: number) =>
  z.union([int(min, max), z.literal("auto")], { error: `expected an integer in ${min}..${max} or "auto"` }).default("auto");

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

/** In-process llama.cpp model of a type "local" provider (server/engines/llm). */
/** How a local model's chat turns become a prompt (server/engines/llm/types.ts). */
export const CHAT_TEMPLATE_MODES = ["auto", "model", "base-model"] as const;
export type ChatTemplateMode = (typeof CHAT_TEMPLATE_MODES)[number];

const local = z.strictObject({
  model_path: z.string().min(1),
  threads: intOrAuto(1, 256),
  contexts: intOrAuto(1, 64),
  context_size: int(16, 1_048_576).default(2048),
  sequences: int(1, 64).default(1),
  max_queue: int(0).default(16),
  load: z.enum(["startup", "first-use"]).default("first-use"),
  idle_unload_ms: int(0).default(600_000),
  chat_template: z.enum(CHAT_TEMPLATE_MODES).default("auto"),
  temperature: z.number().min(0).max(2).default(0.8),
}).superRefine((l, ctx) => {
  if (typeof l.contexts === "number" && typeof l.sequences === "number" && l.contexts > l.sequences) {
    ctx.addIssue({ code: "custom", path: ["contexts"], message: `${l.contexts} is more than sequences (${l.sequences}): every context needs at least one sequence` });
  }
}, ALWAYS);

/** In-process pocketsphinx speech-to-text (server/engines/stt); defaults: Debian pocketsphinx-en-us. */
const pocketsphinx = z.strictObject({
  hmm_dir: z.string().min(1).default("/usr/share/pocketsphinx/model/en-us/en-us"),
  dict_path: z.string().min(1).default("/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"),
  lm_path: z.string().min(1).default("/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"),
  decoders: int(1, 64).default(1),
  max_queue: int(0).default(4),
});

/** In-process whisper.cpp ggml model, decoded in a child process. */
const whisper = z.strictObject({
  model_path: z.string().min(1),
  threads: int(1, 256).optional(),
  max_queue: int(0).default(4),
});

/** Local text to speech: flite compiled to WebAssembly, in worker processes (server/engines/tts). */
const flite = z.strictObject({
  processes: int(1, 64).default(1),
  max_queue: int(0).default(8),
});

/** The faster-whisper server (scripts/whisper-server) as a child process hoosh starts, watches and stops. */
const whisperServer = z.strictObject({
  /** The python of a venv with scripts/whisper-server/requirements.txt; default <data dir>/venv-whisper/bin/python (scripts/setup-speech.sh). */
  python: z.string().min(1).optional(),
  threads: int(1, 256).optional(),
  beam_size: int(1, 16).default(5),
  load: z.enum(["startup", "first-use"]).default("startup"),
  start_timeout_ms: int(1000).default(120_000),
  /** TranscribeStream: a partial is decoded every this much new audio, over the last window_seconds. */
  partial_every_ms: int(200).default(2000),
  window_seconds: int(2, 30).default(10),
});

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
    local: local.optional(),
    pocketsphinx: pocketsphinx.optional(),
    whisper: whisper.optional(),
    flite: flite.optional(),
    whisper_server: whisperServer.optional(),
    region: z.string().min(1).optional(),
    project: z.string().min(1).optional(),
    location: z.string().min(1).optional(),
    deployments: z.record(z.string().min(1), z.string().min(1)).optional(),
    credentials: credentialsTable.optional(),
    tls: tlsTable.optional(),
    proxy: proxySetting.optional(),
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
    checkCloudKeys(p, ctx);
    if (!IN_PROCESS.includes(type) && !DERIVED_BASE_URL.includes(type) && p.base_url === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["base_url"],
        message: `missing required key (every provider except types ${[...IN_PROCESS, ...DERIVED_BASE_URL].map((t) => `"${t}"`).join(", ")} needs one; this one has type "${type}")`,
      });
    }
    for (const table of ["local", "pocketsphinx", "whisper", "flite", "whisper_server"] as const) {
      const owner = table.replace("_", "-");
      if (type !== owner && p[table] !== undefined) {
        ctx.addIssue({ code: "custom", path: [table], message: `is only allowed with type "${owner}" (this provider has type "${type}")` });
      }
    }
    if (type === "whisper" && p.whisper === undefined) {
      ctx.addIssue({ code: "custom", path: ["whisper"], message: 'missing required table for type "whisper" (model_path)' });
    }
  }, ALWAYS);

const budget = z
  .strictObject({
    name,
    capacity: int(0).optional(),
    capacity_usd_micros: int(0).optional(),
    period: z.enum(BUDGET_PERIODS).default("none"),
    rpm: int(1).optional(),
    tpm: int(1).optional(),
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
    max_messages: int(1).default(2048),
    max_audio_bytes: int(1).default(25 * 1024 * 1024),
    max_stream_duration_ms: int(1).optional(),
    max_header_bytes: int(1024).default(16 * 1024),
    max_concurrent_streams: int(1).default(100),
    max_in_flight: int(1).default(1024),
    max_queued: int(0).default(1024),
    queue_timeout_ms: int(1).default(5000),
    max_event_loop_delay_ms: int(0).default(0),
    allowed_hosts: z
      .array(z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/, 'must be a host name, optionally with a port, such as "hoosh.internal" or "[::1]:8088"'))
      .optional(),
    cors: z
      .strictObject({
        allowed_origins: z.array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be "*" or an origin such as "https://app.example.com" (scheme and host, no path)')).default([]),
        allowed_headers: z.array(z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name")).default([]),
        allowed_methods: z.array(z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])).default(["GET", "POST", "DELETE", "OPTIONS"]),
        max_age_seconds: int(0).default(600),
      })
      .optional(),
    workers: z
      .unknown()
      .superRefine((v, ctx) => {
        if (v !== "auto" && !(typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 256)) {
          ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not an integer in 1..256 or "auto"` });
        }
      })
      .transform((v) => v as number | "auto")
      .default(1),
  })
  .prefault({});

export { KEY_SCOPES };

export const authSchema = z
  .strictObject({
    open_health: z.boolean().default(true),
    open_reflection: z.boolean().default(true),
    allow_unauthenticated_remote: z.boolean().default(false),
  })
  .prefault({});

const apiKey = z.strictObject({
  id: name,
  // The value is never echoed: a key pasted here by mistake must not reach logs.
  hash: z.string().superRefine((s, ctx) => {
    if (!/^[0-9a-fA-F]{64}$/.test(s)) {
      ctx.addIssue({ code: "custom", message: `is not 64 hex digits (${s.length} characters); put the key's sha256 here (\`hoosh keys hash\`), never the key` });
    }
  }),
  scopes: z.array(z.enum(KEY_SCOPES)).min(1),
  models: z.array(z.string().min(1)).min(1).default(() => ["*"]),
  default_pool: name.optional(),
  // Globs of pool names (e.g. "team-a-*"); the default pool is always granted.
  pools: z.array(z.string().min(1).max(256)).default(() => []),
  rpm: int(1).optional(),
  tpm: int(1).optional(),
  enabled: z.boolean().default(true),
  // No default on purpose: a config without MCP parses exactly as before (none = no tool).
  tools: z.array(z.string().min(1)).optional(),
  tool_rpm: int(1).optional(),
});

export const routerSchema = z
  .strictObject({
    strategy: z.enum(ROUTER_STRATEGIES).default("priority"),
    fallback: z.boolean().default(true),
    max_attempts: int(1, 10).default(3),
    backoff_ms: int(1).default(100),
    backoff_max_ms: int(1).default(5_000),
    max_retry_after_ms: int(0).default(10_000),
    context_window: z.enum(["refuse", "clamp", "off"]).default("refuse"),
  })
  .prefault({});

/** [observability]: metrics, logs, traces, audit (server/observability). */
export const observabilitySchema = z
  .strictObject({
    metrics_path: z.string().regex(/^\/[^?#\s]*$/, "must be a path starting with /").default("/metrics"),
    metrics_require_key: z.boolean().default(false),
    log_level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    log_prompts: z.boolean().default(false),
    otlp_endpoint: httpUrl.optional(),
    audit_key: z.string().min(1).optional(),
    audit_path: z.string().min(1).optional(),
    max_model_labels: int(1, 10_000).default(200),
  })
  .prefault({});

const regex = z.string().min(1).superRefine((s, ctx) => {
  try {
    new RegExp(s, "g");
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a valid regular expression: ${(err as Error).message}` });
  }
});

/** [log]: the request log (server/core/requests). */
export const logSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    payloads: z.boolean().default(false),
    redact: z.array(regex).default(() => []),
    max_payload_chars: int(1).default(8192),
    retention_days: int(1, 3650).default(7),
    max_rows: int(1).default(1_000_000),
    otlp_endpoint: httpUrl.optional(),
  })
  .prefault({});

/** Who shares cached answers: every caller allowed the model, keys of one team, or each key alone. */
export const CACHE_SCOPES = ["global", "team", "key"] as const;

/** Response cache: exact match on everything that changes the output (see server/core/cache). */
export const cacheSchema = z
  .strictObject({
    mode: z.enum(["deterministic", "all", "off"]).default("deterministic"),
    max_bytes: int(0).default(64 * 1024 * 1024),
    default_ttl_seconds: int(1).default(300),
    max_ttl_seconds: int(1).default(86_400),
    shared: z.boolean().default(true),
    shared_max_entry_bytes: int(0).default(1024 * 1024),
    shared_timeout_ms: int(1, 60_000).default(100),
    charge_hits: z.boolean().default(false),
    scope: z.enum(CACHE_SCOPES).default("team"),
    semantic_model: z.string().min(1).optional(),
    semantic_threshold: z.number().min(0).max(1).default(0.95),
    semantic_max_entries: int(1).default(10_000),
  })
  .prefault({});

/** Where budgets and usage live: memory (lost on restart), a SQLite file, or Redis shared by replicas. */
export const storeSchema = z
  .strictObject({
    kind: z.enum(["memory", "sqlite", "redis"]).default("memory"),
    path: z.string().min(1).optional(),
    url: z.string().min(1).optional(),
    prefix: z.string().min(1).default("hoosh:"),
    on_unavailable: z.enum(["fail-closed", "fail-open"]).default("fail-closed"),
    command_timeout_ms: int(1).default(1000),
    finished_retention_ms: int(60_000).default(3_600_000),
    outbox_path: z.string().min(1).default("outbox.db"),
  })
  .superRefine((s, ctx) => {
    if (s.kind === "sqlite" && s.path === undefined) ctx.addIssue({ code: "custom", path: ["path"], message: 'missing required key (kind "sqlite" needs a file path)' });
    if (s.kind === "redis" && s.url === undefined) ctx.addIssue({ code: "custom", path: ["url"], message: 'missing required key (kind "redis" needs a URL such as "redis://127.0.0.1:6379/0")' });
  }, ALWAYS)
  .prefault({});

// Optional (no default): whether it is on depends on server.bind (consoleEnabled in rest/console).
const consoleSchema = z.strictObject({ enabled: z.boolean().optional() });

export const configSchema = z.strictObject({
  server: serverSchema,
  router: routerSchema,
  observability: observabilitySchema,
  providers: z
    .array(provider)
    .superRefine(uniqueNames("providers", "provider"), ALWAYS)
    .default(() => []),
  budgets: z
    .array(budget)
    .superRefine(uniqueNames("budgets", "budget"), ALWAYS)
    .default(() => []),
  auth: authSchema,
  keys: z
    .array(apiKey)
    .superRefine((entries, ctx) => {
      if (!Array.isArray(entries)) return;
      const seen = new Map<string, number>();
      entries.forEach((k: unknown, i) => {
        const id: unknown = typeof k === "object" && k !== null ? (k as { id?: unknown }).id : undefined;
        if (typeof id !== "string") return;
        const first = seen.get(id);
        if (first === undefined) seen.set(id, i);
        else ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate key id ${JSON.stringify(id)} (already used by keys[${first}])` });
      });
    }, ALWAYS)
    .default(() => []),
  aliases: z.record(z.string().min(1), z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).default(() => ({})),
  cache: cacheSchema,
  log: logSchema,
  store: storeSchema,
  // Optional (no defaults): a config without MCP parses exactly as before; server/mcp applies the defaults.
  mcp_servers: z.array(mcpServerSchema).superRefine(uniqueMcpServers, ALWAYS).optional(),
  mcp: mcpSchema.optional(),
  console: consoleSchema.optional(),
});

/** A validated configuration with every default applied. */
export type Config = z.output<typeof configSchema>;
/** What a hoosh.toml may contain (defaults not yet applied). */
export type ConfigInput = z.input<typeof configSchema>;
export type ServerConfig = Config["server"];
export type RouterConfig = Config["router"];
export type ObservabilityConfig = Config["observability"];
export type ProviderConfig = Config["providers"][number];
export type ProviderTimeouts = ProviderConfig["timeouts"];
export type BudgetConfig = Config["budgets"][number];
export type AuthConfig = Config["auth"];
export type KeyConfig = Config["keys"][number];
export type { KeyScope } from "../core/keys/scopes.js";
export type CacheScope = (typeof CACHE_SCOPES)[number];
export type LogConfig = Config["log"];
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export type RouterStrategy = (typeof ROUTER_STRATEGIES)[number];
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
export type { McpConfig, McpServerConfig } from "./mcp-schema.js";
