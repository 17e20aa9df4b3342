// What outlives one app generation: the MCP servers (their child processes and
// connections) and the /mcp sessions. A config reload whose [[mcp_servers]] and
// [mcp] are unchanged hands the running runtime to the new app, so a reload
// (new keys, say) neither restarts the servers nor drops MCP clients' sessions.
// The last app to release it closes it: sessions, then servers (by PID).
import type { Config } from "../config/schema.js";
import { mcpSettings } from "../config/mcp-schema.js";
import { McpHub } from "./hub.js";
import { SessionStore } from "./serve/sessions.js";
import type { LogFn } from "./upstream/upstream.js";

export const SERVER_INFO = { name: "hoosh", version: "0.1.0" };

/** The settings a runtime is built from: equal fingerprints may share one. */
export function mcpFingerprint(config: Pick<Config, "mcp_servers" | "mcp">): string {
  return JSON.stringify([config.mcp_servers ?? [], mcpSettings(config)]);
}

export class McpRuntime {
  readonly hub: McpHub;
  readonly sessions: SessionStore;
  readonly started: Promise<void>;
  private holders = 1;
  private closing?: Promise<void>;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly fingerprint: string,
    config: Pick<Config, "mcp_servers" | "mcp">,
    log: LogFn,
  ) {
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

  /** One more app uses this runtime. */
  retain(): this {
    this.holders++;
    return this;
  }

  /**
   * An app generation was retired: long-lived GET streams of its sessions are
   * closed so clients reconnect (to the new generation, which shares the sessions).
   */
  retire(): void {
    for (const s of this.sessions.all()) s.transport.closeStandaloneSSEStream();
  }

  /** An app is done with it; the last one closes it. */
  release(): Promise<void> {
    this.holders--;
    if (this.holders > 0) return Promise.resolve();
    this.closing ??= (async () => {
      this.unsubscribe.forEach((u) => u());
      await this.sessions.closeAll();
      await this.hub.close();
    })();
    return this.closing;
  }
}
