// The MCP bridge's implementation, loaded on first use (index.ts): the shared
// runtime (servers and sessions), and for one app the tool calls (with its
// keys, rate windows, access log and audit chain), the ToolsApi over them and
// hoosh's own /mcp endpoint.
import type { Auth } from "../auth/authorize.js";
import type { Config } from "../config/schema.js";
import { mcpSettings } from "../config/mcp-schema.js";
import type { RateWindows } from "../core/rate-limit/window.js";
import type { AuditLog } from "../observability/audit-log.js";
import type { Logger } from "../observability/log.js";
import type { RestHandler } from "../rest/handler.js";
import { ToolCalls } from "./calls.js";
import { ToolRateLimits } from "./limits.js";
import { toolCallSink } from "./record.js";
import type { ToolsApi } from "./api.js";
import { SERVER_INFO } from "./fingerprint.js";
import { McpRuntime } from "./runtime.js";
import { callToolStream } from "./stream.js";
import { mcpEndpoint } from "./serve/endpoint.js";
import { hostCheck } from "../host-check.js";
import { statelessHandler } from "./serve/stateless.js";
import type { LogFn } from "./upstream/upstream.js";
import type { RequestSink } from "../core/requests/log.js";
import { ArgumentValidator } from "./validate-args.js";

export interface AppDeps {
  auth: Auth;
  windows: RateWindows;
  /** Access log lines (serve: stdout at [observability] log_level). */
  accessLog: Logger;
  audit: AuditLog;
  log: LogFn;
  requests?: RequestSink | undefined;
}

export interface BoundApp {
  tools: ToolsApi;
  /** hoosh's /mcp endpoint (the caller checked the path and that [mcp] is enabled). */
  endpoint: RestHandler;
}

export function createRuntime(config: Config, log: LogFn): McpRuntime {
  return new McpRuntime(config, log);
}

/** One app's view of the runtime: its keys, limits and records. */
export function bindApp(runtime: McpRuntime, config: Config, deps: AppDeps): BoundApp {
  const byId = <T extends { rpm?: number; tool_rpm?: number }>(entries: readonly T[], id: (e: T) => string, limit: (e: T) => number | undefined) =>
    new Map(entries.flatMap((e) => (limit(e) === undefined ? [] : [[id(e), limit(e)!] as const])));
  const calls = new ToolCalls({
    hub: runtime.hub,
    validator: new ArgumentValidator((level, msg, fields) => deps.log(level, msg, fields)),
    rates: new ToolRateLimits(
      deps.windows,
      byId(config.keys, (k) => k.id, (k) => k.tool_rpm),
      byId(config.mcp_servers ?? [], (s) => s.name, (s) => s.rpm),
    ),
    sink: toolCallSink(deps.accessLog, deps.audit, deps.requests),
    logArguments: config.observability.log_prompts,
  });
  const settings = mcpSettings(config);
  const endpoint = mcpEndpoint({
    path: settings.path,
    hostCheck: hostCheck(config.server.bind, settings.allowed_hosts ?? config.server.allowed_hosts, settings.allowed_origins),
    auth: deps.auth,
    sessions: runtime.sessions,
    deps: { calls },
    serverInfo: SERVER_INFO,
    maxBodyBytes: config.server.max_body_bytes,
    stateless: statelessHandler(() => calls, SERVER_INFO),
  });
  const tools: ToolsApi = {
    list: async (who) => calls.list(who),
    servers: async () =>
      runtime.hub.servers.map((u) => ({ name: u.name, transport: u.config.transport, state: u.state, lastError: u.lastError ?? "", restarts: u.restarts, tools: u.catalog.tools.length })),
    serverOf: async (name) => runtime.hub.tool(name)?.server ?? "",
    call: (who, name, args, options) => calls.call(who, name, args, options),
    stream: (who, name, args, options) => callToolStream(calls, who, name, args, options),
  };
  return { tools, endpoint };
}
