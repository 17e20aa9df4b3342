// The MCP bridge as app.ts wires it, without loading it: the MCP SDK, ajv and
// the rest of server/mcp (hundreds of ms of imports) load on first use, or at
// startup when [[mcp_servers]] are configured (their servers start connecting
// then). The runtime (servers, /mcp sessions) is shared by the app generations
// whose [[mcp_servers]] and [mcp] are the same; the last app to let go closes it.
import type { Auth } from "../auth/authorize.js";
import type { Config } from "../config/schema.js";
import { mcpSettings } from "../config/mcp-schema.js";
import type { RateWindows } from "../core/rate-limit/window.js";
import type { AuditLog } from "../observability/audit-log.js";
import type { Logger } from "../observability/log.js";
import type { RestHandler } from "../rest/handler.js";
import type { ToolsApi } from "./api.js";
import { mcpFingerprint } from "./fingerprint.js";
import type { BoundApp } from "./load.js";
import type { McpRuntime } from "./runtime.js";
import type { LogFn } from "./upstream/upstream.js";
import type { RequestSink } from "../core/requests/log.js";

const load = () => import("./load.js");

/** The runtime as the app generations share it: created on first use, closed by the last holder. */
export class McpRuntimeRef {
  private holders = 1;
  private runtime?: Promise<McpRuntime>;

  constructor(
    readonly fingerprint: string,
    private readonly make: () => Promise<McpRuntime>,
  ) {}

  get(): Promise<McpRuntime> {
    return (this.runtime ??= this.make());
  }

  retain(): this {
    this.holders++;
    return this;
  }

  /** A generation was replaced: its sessions' GET streams are closed so clients reconnect to the new one. */
  retire(): void {
    void this.runtime?.then((r) => r.retire()).catch(() => undefined);
  }

  async release(): Promise<void> {
    if (--this.holders > 0 || !this.runtime) return;
    await (await this.runtime.catch(() => undefined))?.close();
  }
}

export interface McpDeps {
  auth: Auth;
  windows: RateWindows;
  accessLog: Logger;
  audit: AuditLog;
  log: LogFn;
  /** The running app's runtime, kept when the fingerprint matches. */
  runtime?: McpRuntimeRef;
  /** The request log: each tool call is one record. */
  requests?: RequestSink | undefined;
}

export interface McpBridge {
  runtime: McpRuntimeRef;
  tools: ToolsApi;
  /** hoosh's /mcp endpoint ([mcp] enabled). */
  endpoint?: RestHandler;
}

export function createMcp(config: Config, deps: McpDeps): McpBridge {
  const fingerprint = mcpFingerprint(config);
  const runtime =
    deps.runtime?.fingerprint === fingerprint ? deps.runtime.retain() : new McpRuntimeRef(fingerprint, async () => (await load()).createRuntime(config, deps.log));
  let bound: Promise<BoundApp> | undefined;
  const bind = () => (bound ??= Promise.all([load(), runtime.get()]).then(([m, r]) => m.bindApp(r, config, deps)));
  if ((config.mcp_servers ?? []).some((s) => s.enabled)) void bind().catch((err: Error) => deps.log("error", "MCP bridge failed to load", { error: err.message }));
  const tools: ToolsApi = {
    list: async (who) => (await bind()).tools.list(who),
    servers: async () => (await bind()).tools.servers(),
    serverOf: async (name) => (await bind()).tools.serverOf(name),
    call: async (who, name, args, options) => (await bind()).tools.call(who, name, args, options),
    async *stream(who, name, args, options) {
      yield* (await bind()).tools.stream(who, name, args, options);
    },
  };
  const settings = mcpSettings(config);
  const endpoint: RestHandler | undefined = settings.enabled
    ? async (req, res, state) => {
        const url = req.url ?? "/";
        const q = url.indexOf("?");
        if ((q < 0 ? url : url.slice(0, q)) !== settings.path) return false;
        return (await bind()).endpoint(req, res, state);
      }
    : undefined;
  return { runtime, tools, endpoint };
}
