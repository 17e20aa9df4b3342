// What outlives one app generation: the MCP servers (their child processes and
// connections) and the /mcp sessions. A config reload whose [[mcp_servers]] and
// [mcp] are unchanged hands the running runtime to the new app (index.ts's
// McpRuntimeRef counts the apps), so a reload (new keys, say) neither restarts
// the servers nor drops MCP clients' sessions. close(): sessions, then servers (by PID).
import type { Config } from "../config/schema.js";
import { mcpSettings } from "../config/mcp-schema.js";
import { SERVER_INFO } from "./fingerprint.js";
import { McpHub } from "./hub.js";
import { SessionStore } from "./serve/sessions.js";
import type { LogFn } from "./upstream/upstream.js";

export class McpRuntime {
  readonly hub: McpHub;
  readonly sessions: SessionStore;
  readonly started: Promise<void>;
  private closing?: Promise<void>;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(config: Pick<Config, "mcp_servers" | "mcp">, log: LogFn) {
    const settings = mcpSettings(config);
    this.hub = new McpHub(config.mcp_servers ?? [], { log, clientInfo: SERVER_INFO });
    this.sessions = new SessionStore(settings.max_sessions, settings.session_idle_ms);
    // The hub's news, passed to every open session.
    this.unsubscribe.push(
      this.hub.onChange((kinds) => {
        for (const s of this.sessions.all()) {
          if (kinds.has("tools")) void s.server.sendToolListChanged().catch(() => undefined);
          if (kinds.has("resources")) void s.server.sendResourceListChanged().catch(() => undefined);
          if (kinds.has("prompts")) void s.server.sendPromptListChanged().catch(() => undefined);
        }
      }),
      this.hub.onResourceUpdated((server, uri) => this.sessions.all().forEach((s) => s.resourceUpdated(server, uri))),
    );
    this.started = this.hub.start();
  }

  /**
   * An app generation was retired: long-lived GET streams of its sessions are
   * closed so clients reconnect (to the new generation, which shares the sessions).
   */
  retire(): void {
    for (const s of this.sessions.all()) s.transport.closeStandaloneSSEStream();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unsubscribe.forEach((u) => u());
      await this.sessions.closeAll();
      await this.hub.close();
    })();
    return this.closing;
  }
}
