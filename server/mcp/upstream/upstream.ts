// One configured MCP server: its connection (official SDK Client), what it
// offers (catalog.ts), and its supervision. A stdio server is a child process:
// when it exits hoosh hears it at once (the pipe closes), fails the calls in
// flight (UNAVAILABLE), and restarts it after a backoff, up to the crash-loop
// cap (crash-policy.ts); each restart lists its tools again. An HTTP server
// that cannot be reached is retried the same way, without a cap. A server
// asking its caller something while it runs a tool, or logging during a call,
// is relayed to that caller (relay.ts).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { ConnectError } from "@connectrpc/connect";
import type { McpServerConfig } from "../../config/schema.js";
import { unavailable } from "../errors.js";
import { Relay, type Caller } from "../relay.js";
import { EMPTY_CATALOG, fetchCatalog, fetchKind, type Catalog, type CatalogKind } from "./catalog.js";
import { CrashPolicy } from "./crash-policy.js";
import { createTransport, type UpstreamTransport } from "./transport.js";

export type UpstreamState = "connecting" | "ready" | "restarting" | "failed" | "closed";
export type LogFn = (level: "debug" | "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) => void;

export interface UpstreamDeps {
  clientInfo: { name: string; version: string };
  log: LogFn;
  /** State or catalog changed. */
  onChange(server: string): void;
  onResourceUpdated(server: string, uri: string): void;
  now?: () => number;
}

const CLIENT_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} } };

export class Upstream {
  state: UpstreamState = "connecting";
  catalog: Catalog = EMPTY_CATALOG;
  lastError?: string;
  restarts = 0;
  private client?: Client;
  private io?: UpstreamTransport;
  private timer?: NodeJS.Timeout;
  private generation = 0;
  private attempt?: Promise<void>;
  private readonly policy: CrashPolicy;
  private readonly relay = new Relay();
  private readonly refreshing = new Map<CatalogKind, { again: boolean }>();
  /** Lists announced as changed while the connection was still being set up. */
  private readonly pending = new Set<CatalogKind>();

  constructor(
    readonly config: McpServerConfig,
    private readonly deps: UpstreamDeps,
  ) {
    this.policy = new CrashPolicy(config.restart, config.transport === "stdio");
  }

  get name(): string {
    return this.config.name;
  }

  /** The child's PID (stdio, while it runs). */
  get pid(): number | undefined {
    return this.io?.pid();
  }

  /** Starts the first connection; resolves when that attempt ends (ready or not). */
  start(): Promise<void> {
    return this.connect();
  }

  /**
   * Runs a request on the connection; UNAVAILABLE naming the server when it is not ready.
   * `caller` answers what the server asks while it handles the request (fn must send it synchronously).
   */
  async request<T>(fn: (client: Client) => Promise<T>, caller?: Caller): Promise<T> {
    const client = this.readyClient();
    try {
      return await this.relay.sending(caller, () => fn(client));
    } catch (err) {
      if (this.state === "ready" && client === this.client && this.config.transport === "http" && connectionLost(err)) {
        // An HTTP server that forgot the session (restarted) or cannot be reached: connect again.
        if (err instanceof StreamableHTTPError && err.code === 404) {
          await this.reconnect("the server no longer knows hoosh's session");
          const again = this.readyClient();
          return this.relay.sending(caller, () => fn(again));
        }
        this.lost(this.generation, err instanceof Error ? err.message : String(err));
      }
      throw err;
    }
  }

  /** Waits for a connect attempt in progress (tests, startup). */
  async settled(): Promise<void> {
    await this.attempt;
  }

  async close(): Promise<void> {
    this.generation++;
    this.setState("closed");
    clearTimeout(this.timer);
    await this.attempt?.catch(() => undefined);
    await this.dispose();
  }

  private readyClient(): Client {
    if (this.state === "ready" && this.client) return this.client;
    throw this.whyUnavailable();
  }

  /** UNAVAILABLE naming the server and why it is not ready now. */
  whyUnavailable(): ConnectError {
    switch (this.state) {
      case "ready":
      case "connecting":
        return unavailable(this.name, this.restarts === 0 ? "still connecting" : "restarting");
      case "restarting":
        return unavailable(this.name, `restarting after it went away (${this.lastError ?? "unknown reason"})`);
      case "failed":
        return unavailable(this.name, `stopped restarting after ${this.policy.recent} crashes in ${this.config.restart.crash_window_ms} ms (last: ${this.lastError ?? "unknown"}); reload the config to try again`);
      default:
        return unavailable(this.name, "hoosh is shutting down");
    }
  }

  private connect(): Promise<void> {
    const gen = ++this.generation;
    this.setState("connecting");
    this.attempt = this.connectNow(gen);
    return this.attempt;
  }

  private async connectNow(gen: number): Promise<void> {
    const io = createTransport(this.config, this.relay, (line) => this.deps.log("debug", "MCP server stderr", { server: this.name, line }));
    const client = new Client(this.deps.clientInfo, { capabilities: CLIENT_CAPABILITIES });
    this.installHandlers(client);
    this.client = client;
    this.io = io;
    try {
      await client.connect(io.transport, { timeout: this.config.connect_timeout_ms });
      // Set only now: a failed connect reports its own error (below), not "closed".
      client.onclose = () => this.lost(gen, this.config.transport === "stdio" ? "the process exited" : "the connection closed");
      const catalog = await fetchCatalog(client, this.config.connect_timeout_ms);
      if (gen !== this.generation) return;
      this.catalog = catalog;
      this.lastError = undefined;
      this.setState("ready");
      this.deps.log("info", "MCP server ready", { server: this.name, pid: io.pid(), restarts: this.restarts, tools: catalog.tools.length });
      // A change announced while hoosh was listing may not be in what it got: list that kind again.
      for (const kind of this.pending) void this.refresh(client, kind);
      this.pending.clear();
    } catch (err) {
      this.lost(gen, err instanceof Error ? err.message : String(err));
    }
  }

  /** The connection went away (or never came up): count a crash and restart after a backoff, or give up. */
  private lost(gen: number, why: string): void {
    if (gen !== this.generation || this.state === "closed") return;
    this.generation++; // later events of this connection are ignored
    const tail = this.io?.stderrTail() ?? [];
    const exitCode = (this.io?.transport as { _process?: { exitCode?: number | null } } | undefined)?._process?.exitCode;
    this.lastError = why;
    void this.dispose();
    const verdict = this.policy.crashed(this.deps.now?.() ?? Date.now());
    const fields = { server: this.name, reason: why, exit_code: exitCode ?? undefined, stderr: tail.slice(-5) };
    if (!verdict.restart) {
      this.setState("failed");
      this.deps.log("error", "MCP server keeps crashing; not restarting it", { ...fields, crashes: verdict.crashes, window_ms: verdict.windowMs });
      return;
    }
    this.setState("restarting");
    this.deps.log("warn", "MCP server went away; restarting it", { ...fields, restart_in_ms: verdict.delayMs });
    this.timer = setTimeout(() => {
      this.restarts++;
      void this.connect();
    }, verdict.delayMs);
    this.timer.unref();
  }

  private async reconnect(why: string): Promise<void> {
    this.deps.log("info", "MCP server: connecting again", { server: this.name, reason: why });
    await this.dispose();
    await this.connect();
  }

  private async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.onclose = undefined;
    // stdio: the SDK ends the child's stdin, then sends SIGTERM, then SIGKILL, to the PID it started.
    await client.close().catch(() => undefined);
  }

  private setState(state: UpstreamState): void {
    if (this.state === state && state !== "ready") return;
    this.state = state;
    if (state !== "ready") this.catalog = EMPTY_CATALOG;
    this.deps.onChange(this.name);
  }

  private installHandlers(client: Client): void {
    const refresh = (kind: CatalogKind) => () => void this.refresh(client, kind);
    client.setNotificationHandler(ToolListChangedNotificationSchema, refresh("tools"));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, refresh("resources"));
    client.setNotificationHandler(PromptListChangedNotificationSchema, refresh("prompts"));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => this.deps.onResourceUpdated(this.name, n.params.uri));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      const caller = this.relay.callerOf(n.params as { _meta?: Record<string, unknown> });
      if (caller) caller.notify(n.method, { ...n.params, logger: n.params.logger ?? this.name });
      else this.deps.log("debug", "MCP server log message", { server: this.name, level: n.params.level, logger: n.params.logger });
    });
    const ask = async (req: { method: string; params?: Record<string, unknown> }, extra: { signal: AbortSignal }) => {
      const caller = this.relay.callerOf(req.params as { _meta?: Record<string, unknown> });
      if (!caller) throw new McpError(ErrorCode.InvalidRequest, `hoosh cannot relay ${req.method}: no caller is waiting on a call to "${this.name}" that this request belongs to`);
      return caller.request(req.method, req.params, extra.signal) as never;
    };
    client.setRequestHandler(CreateMessageRequestSchema, ask);
    client.setRequestHandler(ElicitRequestSchema, ask);
  }

  /** Lists one kind again after the server said it changed; changes arriving meanwhile list once more. */
  private async refresh(client: Client, kind: CatalogKind): Promise<void> {
    if (this.state !== "ready") {
      if (client === this.client) this.pending.add(kind);
      return;
    }
    const running = this.refreshing.get(kind);
    if (running) {
      running.again = true;
      return;
    }
    const mark = { again: false };
    this.refreshing.set(kind, mark);
    try {
      do {
        mark.again = false;
        const part = await fetchKind(client, kind, client.getServerCapabilities(), this.config.connect_timeout_ms);
        if (client !== this.client || this.state !== "ready") return;
        this.catalog = { ...this.catalog, ...part };
        this.deps.log("info", "MCP server list changed", { server: this.name, kind, tools: this.catalog.tools.length });
        this.deps.onChange(this.name);
      } while (mark.again);
    } catch (err) {
      this.deps.log("warn", "MCP server list refresh failed", { server: this.name, kind, error: (err as Error).message });
    } finally {
      this.refreshing.delete(kind);
    }
  }
}

/** Errors that mean the connection itself failed (not an answer from the server). */
function connectionLost(err: unknown): boolean {
  if (err instanceof McpError) return err.code === ErrorCode.ConnectionClosed;
  if (err instanceof StreamableHTTPError) return err.code === 404 || err.code === undefined || err.code < 0;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_)/.test(code) && code !== "UND_ERR_ABORTED") return true;
  return err instanceof TypeError || (err instanceof Error && /fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(err.message));
}
