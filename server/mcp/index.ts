// The MCP bridge for one app: tool calls (with the app's keys, rate windows,
// access log and audit chain) over the shared runtime (servers and sessions),
// and hoosh's own /mcp endpoint. app.ts wires it; rpc/tools.ts serves it over gRPC.
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
import { McpRuntime, mcpFingerprint, SERVER_INFO } from "./runtime.js";
import { mcpEndpoint } from "./serve/endpoint.js";
import { hostCheck } from "./serve/host-check.js";
import { statelessHandler } from "./serve/stateless.js";
import type { LogFn } from "./upstream/upstream.js";
import { ArgumentValidator } from "./validate-args.js";

export interface McpDeps {
  auth: Auth;
  windows: RateWindows;
  /** Access log lines (serve: stdout at [observability] log_level). */
  accessLog: Logger;
  audit: AuditLog;
  log: LogFn;
  /** The running app's runtime, when a reload keeps it (same fingerprint). */
  runtime?: McpRuntime;
}

export interface McpBridge {
  runtime: McpRuntime;
  calls: ToolCalls;
  /** hoosh's /mcp endpoint ([mcp] enabled). */
  endpoint?: RestHandler;
}

export function createMcp(config: Config, deps: McpDeps): McpBridge {
  const fingerprint = mcpFingerprint(config);
  const runtime = deps.runtime?.fingerprint === fingerprint ? deps.runtime.retain() : new McpRuntime(fingerprint, config, deps.log);
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
    sink: toolCallSink(deps.accessLog, deps.audit),
    logArguments: config.observability.log_prompts,
  });
  const settings = mcpSettings(config);
  const endpoint = settings.enabled
    ? mcpEndpoint({
        path: settings.path,
        hostCheck: hostCheck(config.server.bind, settings.allowed_hosts, settings.allowed_origins),
        auth: deps.auth,
        sessions: runtime.sessions,
        deps: { calls },
        serverInfo: SERVER_INFO,
        maxBodyBytes: config.server.max_body_bytes,
        stateless: statelessHandler(() => calls, SERVER_INFO),
      })
    : undefined;
  return { runtime, calls, endpoint };
}

export { McpRuntime } from "./runtime.js";
