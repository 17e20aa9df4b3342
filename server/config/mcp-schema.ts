/**
 * [[mcp_servers]] and [mcp]: the MCP servers whose tools hoosh serves (server/mcp), documented in
 * schema.ts's header with every other key. Kept in its own file so the table's rules stay together.
 */
import { z } from "zod";

/** SEP-986 tool-name characters; a namespace becomes the first part of every exposed name. */
export const NAMESPACE_PATTERN = /^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)?$/;
/** Longest namespace, so "namespace.tool" keeps room for the tool within SEP-986's 128 characters. */
export const MAX_NAMESPACE_LENGTH = 64;
/** Environment variable names a stdio server may be given. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ALWAYS = { when: () => true };

/** A string matching `pattern`, else one clear message naming the value. */
const matching = (pattern: RegExp, what: string) =>
  z.string().superRefine((v, ctx) => {
    if (!pattern.test(v)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a valid ${what}` });
  });

const int = (min: number, max?: number) => (max === undefined ? z.int().min(min) : z.int().min(min).max(max));

const stringMap = (what: string, keyPattern: RegExp, keyHelp: string) =>
  z
    .record(
      z.string(),
      z.string().superRefine((v, ctx) => {
        if (/[\r\n\0]/.test(v)) ctx.addIssue({ code: "custom", message: `${what} value must not contain line breaks or NUL` });
      }),
    )
    .superRefine((m, ctx) => {
      if (typeof m !== "object" || m === null) return;
      for (const key of Object.keys(m)) if (!keyPattern.test(key)) ctx.addIssue({ code: "custom", path: [key], message: keyHelp });
    }, ALWAYS);

/** Restarts of a stdio server that crashed: exponential backoff, and a cap on crashes in a window. */
const restart = z
  .strictObject({
    initial_backoff_ms: int(1).default(250),
    max_backoff_ms: int(1).default(30_000),
    max_crashes: int(1).default(5),
    crash_window_ms: int(1).default(60_000),
  })
  .prefault({});

export const mcpServerSchema = z
  .strictObject({
    name: matching(/^[a-z0-9][a-z0-9._-]*$/, 'name (lowercase letters, digits, ".", "_", "-"; starting with a letter or digit)'),
    transport: z.enum(["stdio", "http"]),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default(() => []),
    env: stringMap("env", ENV_NAME, "not a valid environment variable name").default(() => ({})),
    cwd: z.string().min(1).optional(),
    url: z.string().optional(),
    headers: stringMap("header", HEADER_NAME, "not a valid HTTP header name").default(() => ({})),
    namespace: matching(NAMESPACE_PATTERN, 'namespace (letters, digits, "_", "-" and inner "."; "" for none)').pipe(z.string().max(MAX_NAMESPACE_LENGTH)).optional(),
    tools: z.array(z.string().min(1)).default(() => ["*"]),
    deny_tools: z.array(z.string().min(1)).default(() => []),
    enabled: z.boolean().default(true),
    connect_timeout_ms: int(1).default(10_000),
    call_timeout_ms: int(1).default(60_000),
    max_concurrent_calls: int(1).default(16),
    max_queued_calls: int(0).default(64),
    rpm: int(1).optional(),
    max_argument_bytes: int(1).default(1024 * 1024),
    restart,
  })
  .superRefine((s, ctx) => {
    if (s.transport === "stdio") {
      if (s.command === undefined) ctx.addIssue({ code: "custom", path: ["command"], message: 'missing required key (transport "stdio" starts this command)' });
      if (s.url !== undefined) ctx.addIssue({ code: "custom", path: ["url"], message: 'is only allowed with transport "http"' });
      if (Object.keys(s.headers ?? {}).length > 0) ctx.addIssue({ code: "custom", path: ["headers"], message: 'is only allowed with transport "http"' });
    }
    if (s.transport === "http") {
      if (s.url === undefined) ctx.addIssue({ code: "custom", path: ["url"], message: 'missing required key (transport "http" connects to this Streamable HTTP endpoint)' });
      else if (!/^https?:\/\/[^/\s]/.test(s.url)) ctx.addIssue({ code: "custom", path: ["url"], message: "is not an http:// or https:// URL" });
      for (const key of ["command", "cwd"] as const) {
        if (s[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: 'is only allowed with transport "stdio"' });
      }
      if ((s.args ?? []).length > 0) ctx.addIssue({ code: "custom", path: ["args"], message: 'is only allowed with transport "stdio"' });
      if (Object.keys(s.env ?? {}).length > 0) ctx.addIssue({ code: "custom", path: ["env"], message: 'is only allowed with transport "stdio"' });
    }
    if (s.restart && s.restart.max_backoff_ms < s.restart.initial_backoff_ms) {
      ctx.addIssue({ code: "custom", path: ["restart", "max_backoff_ms"], message: `is below initial_backoff_ms (${s.restart.initial_backoff_ms})` });
    }
  }, ALWAYS);

/** Names and namespaces must each be unique: two servers in one namespace could expose the same name. */
export function uniqueMcpServers(entries: readonly unknown[], ctx: z.core.$RefinementCtx<unknown>): void {
  if (!Array.isArray(entries)) return;
  const names = new Map<string, number>();
  const spaces = new Map<string, number>();
  entries.forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) return;
    const { name, namespace } = entry as { name?: unknown; namespace?: unknown };
    if (typeof name !== "string") return;
    const first = names.get(name);
    if (first !== undefined) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate MCP server name ${JSON.stringify(name)} (already used by mcp_servers[${first}])` });
    else names.set(name, i);
    const space = typeof namespace === "string" ? namespace : name;
    if (space === "") return; // unprefixed servers: collisions are resolved per name (server/mcp/names.ts)
    const other = spaces.get(space);
    if (other !== undefined && other !== i) {
      ctx.addIssue({ code: "custom", path: [i, "namespace"], message: `namespace ${JSON.stringify(space)} is already used by mcp_servers[${other}]` });
    } else spaces.set(space, i);
  });
}

/** [mcp]: hoosh's own MCP endpoint (Streamable HTTP). */
export const mcpSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    path: z.string().regex(/^\/[^?#\s]*$/, "must be a path starting with /").default("/mcp"),
    allowed_hosts: z.array(z.string().min(1)).optional(),
    allowed_origins: z.array(z.string().min(1)).optional(),
    max_sessions: int(1).default(1000),
    session_idle_ms: int(1000).default(30 * 60_000),
  });

export type McpServerConfig = z.output<typeof mcpServerSchema>;
export type McpConfig = z.output<typeof mcpSchema>;

/** [mcp] with every default (the table is optional in the config). */
export function mcpSettings(config: { mcp?: McpConfig }): McpConfig {
  return config.mcp ?? mcpSchema.parse({});
}
