// One MCP session on hoosh's /mcp endpoint: an SDK Server whose handlers answer
// from the hub, for the key that opened the session (its `tools` patterns
// decide what it sees). Tool calls go through ToolCalls (limits, audit) with
// the session as the caller of the server's own requests and log messages;
// resource subscriptions are held for it on the hub.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingLevel,
  type ServerResult,
} from "@modelcontextprotocol/sdk/types.js";
import { randomUUID } from "node:crypto";
import { ALLOW_ALL, type NameFilter } from "../allowlist.js";
import type { ToolCalls } from "../calls.js";
import type { McpHub } from "../hub.js";
import type { Caller } from "../relay.js";
import { LOOSE } from "../upstream/catalog.js";
import { fromUpstream } from "../errors.js";
import { toMcpError } from "./errors.js";

const LEVELS: readonly LoggingLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
/** MCP's "resource not found" error code. */
const RESOURCE_NOT_FOUND = -32002;

export interface SessionKey {
  id?: string;
  allowed: NameFilter;
}

/** What a session answers with: the current app's tool calls (a reload swaps it). */
export interface SessionDeps {
  calls: ToolCalls;
}

export interface SessionOptions {
  serverInfo: { name: string; version: string };
  maxBodyBytes: number;
  onInitialized(session: McpSession): void;
  onClosed(session: McpSession): void;
}

export class McpSession {
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
  /** The key id that opened the session; every later request must present the same key. */
  readonly keyId: string | undefined;
  key: SessionKey;
  deps: SessionDeps;
  lastUsed = Date.now();
  /** Requests of this session whose responses are still open (SSE streams included). */
  open = 0;
  private level: LoggingLevel | undefined;
  private readonly subscriptions = new Set<string>();

  constructor(key: SessionKey, deps: SessionDeps, options: SessionOptions) {
    this.keyId = key.id;
    this.key = key;
    this.deps = deps;
    this.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: () => options.onInitialized(this),
      onsessionclosed: () => options.onClosed(this),
      maxRequestBodySize: options.maxBodyBytes,
    });
    this.server = new Server(options.serverInfo, {
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} },
    });
    this.server.onclose = () => void this.dropSubscriptions();
    this.install();
  }

  get id(): string | undefined {
    return this.transport.sessionId;
  }

  private get hub(): McpHub {
    return this.deps.calls.hub;
  }

  /** Passes a hub resource update on, if this session subscribed to it. */
  resourceUpdated(server: string, uri: string): void {
    if (this.subscriptions.has(`${server}\0${uri}`)) void this.server.sendResourceUpdated({ uri }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.dropSubscriptions();
    await this.server.close().catch(() => undefined);
  }

  private async dropSubscriptions(): Promise<void> {
    const held = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.all(held.map((k) => this.hub.unsubscribe(...(k.split("\0") as [string, string]))));
  }

  private allowed(name: string): boolean {
    return this.key.allowed === ALLOW_ALL || this.key.allowed(name);
  }

  private caller(extra: { sendRequest: (r: never, s: typeof LOOSE, o?: { signal?: AbortSignal }) => Promise<unknown>; sendNotification: (n: never) => Promise<void> }): Caller {
    return {
      request: async (method, params, signal) => {
        const caps = this.server.getClientCapabilities();
        const needs = method.startsWith("sampling/") ? caps?.sampling : method.startsWith("elicitation/") ? caps?.elicitation : {};
        if (!needs) throw new McpError(ErrorCode.InvalidRequest, `the MCP client behind hoosh does not support ${method}`);
        return (await extra.sendRequest({ method, params } as never, LOOSE, { signal })) as Record<string, unknown>;
      },
      notify: (method, params) => {
        const level = params?.level as LoggingLevel | undefined;
        if (method === "notifications/message" && this.level && level && LEVELS.indexOf(level) < LEVELS.indexOf(this.level)) return;
        void extra.sendNotification({ method, params } as never).catch(() => undefined);
      },
    };
  }

  private install(): void {
    const s = this.server;
    const guard =
      <A extends unknown[]>(fn: (...a: A) => Promise<ServerResult>) =>
      async (...a: A): Promise<ServerResult> => {
        try {
          return await fn(...a);
        } catch (err) {
          throw toMcpError(err);
        }
      };
    s.setRequestHandler(
      ListToolsRequestSchema,
      guard(async () => ({ tools: this.deps.calls.list({ keyId: this.key.id, allowed: this.key.allowed }).map((t) => ({ ...t.item, name: t.name })) })),
    );
    s.setRequestHandler(
      CallToolRequestSchema,
      guard(async (req, extra) => {
        const meta = req.params._meta as Record<string, unknown> | undefined;
        const token = meta?.progressToken as string | number | undefined;
        return this.deps.calls.call({ keyId: this.key.id, allowed: this.key.allowed }, req.params.name, req.params.arguments ?? {}, {
          edge: "mcp",
          requestId: `${this.id ?? ""}/${String(extra.requestId)}`,
          signal: extra.signal,
          meta,
          caller: this.caller(extra as never),
          onProgress:
            token === undefined
              ? undefined
              : (p) => void extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, ...p } }).catch(() => undefined),
        });
      }),
    );
    s.setRequestHandler(
      ListPromptsRequestSchema,
      guard(async () => ({ prompts: this.hub.prompts().filter((p) => this.allowed(p.name)).map((p) => ({ ...p.item, name: p.name })) })),
    );
    s.setRequestHandler(
      GetPromptRequestSchema,
      guard(async (req, extra) => {
        const p = this.allowed(req.params.name) ? this.hub.prompt(req.params.name) : undefined;
        if (!p) throw new McpError(ErrorCode.InvalidParams, `no prompt "${req.params.name}"; prompts/list shows the prompts this key may use`);
        return this.forward(p.server, "prompts/get", { ...req.params, name: p.original }, extra.signal);
      }),
    );
    s.setRequestHandler(
      ListResourcesRequestSchema,
      guard(async () => ({ resources: this.hub.resources().filter((r) => this.allowed(r.name)).map((r) => ({ ...r.item, name: r.name })) })),
    );
    s.setRequestHandler(
      ListResourceTemplatesRequestSchema,
      guard(async () => ({ resourceTemplates: this.hub.templates().filter((t) => this.allowed(t.name)).map((t) => ({ ...t.item, name: t.name })) })),
    );
    s.setRequestHandler(
      ReadResourceRequestSchema,
      guard(async (req, extra) => this.forward(this.resourceServer(req.params.uri), "resources/read", req.params, extra.signal)),
    );
    s.setRequestHandler(
      SubscribeRequestSchema,
      guard(async (req) => {
        const server = this.resourceServer(req.params.uri);
        const k = `${server}\0${req.params.uri}`;
        if (!this.subscriptions.has(k)) {
          await this.hub.subscribe(server, req.params.uri);
          this.subscriptions.add(k);
        }
        return {};
      }),
    );
    s.setRequestHandler(
      UnsubscribeRequestSchema,
      guard(async (req) => {
        for (const k of this.subscriptions) {
          const [server, uri] = k.split("\0") as [string, string];
          if (uri !== req.params.uri) continue;
          this.subscriptions.delete(k);
          await this.hub.unsubscribe(server, uri);
        }
        return {};
      }),
    );
    s.setRequestHandler(
      CompleteRequestSchema,
      guard(async (req, extra) => {
        const ref = req.params.ref;
        if (ref.type === "ref/prompt") {
          const p = this.allowed(ref.name) ? this.hub.prompt(ref.name) : undefined;
          if (!p) throw new McpError(ErrorCode.InvalidParams, `no prompt "${ref.name}"`);
          return this.forward(p.server, "completion/complete", { ...req.params, ref: { ...ref, name: p.original } }, extra.signal);
        }
        const t = this.hub.templates().find((e) => e.item.uriTemplate === ref.uri && this.allowed(e.name));
        if (!t) throw new McpError(ErrorCode.InvalidParams, `no resource template "${ref.uri}"`);
        return this.forward(t.server, "completion/complete", req.params, extra.signal);
      }),
    );
    s.setRequestHandler(SetLevelRequestSchema, async (req) => {
      this.level = req.params.level;
      return {};
    });
  }

  private resourceServer(uri: string): string {
    const found = this.hub.resolveResource(uri, (n) => this.allowed(n));
    if (!found) throw new McpError(RESOURCE_NOT_FOUND, "Resource not found", { uri });
    return found.server;
  }

  /** A request passed to a server as is (its answer and its errors too). */
  private async forward(server: string, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<ServerResult> {
    const upstream = this.hub.upstream(server)!;
    const timeout = upstream.config.call_timeout_ms;
    try {
      return (await upstream.request((c) => c.request({ method, params } as never, LOOSE, { signal, timeout }))) as ServerResult;
    } catch (err) {
      throw fromUpstream(server, err);
    }
  }
}
