// One MCP session on hoosh's /mcp endpoint: an SDK Server whose handlers answer
// from the hub, for the key that opened the session (its `tools` patterns
// decide what it sees). Tool calls go through ToolCalls (limits, audit) with
// the session as the caller of the server's own requests and log messages;
// resource subscriptions are held for it on the hub.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
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
import type { ToolCalls } from "../calls.js";
import type { McpHub } from "../hub.js";
import type { Caller } from "../relay.js";
import { LOOSE } from "../upstream/catalog.js";
import { toMcpError } from "./errors.js";
import { McpMethods, type Who } from "./methods.js";
import { SessionTransport } from "./transport.js";

const LEVELS: readonly LoggingLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

export type SessionKey = Who;

/** What a session answers with: the current app's tool calls (a reload swaps it). */
export interface SessionDeps {
  calls: ToolCalls;
}

export interface SessionOptions {
  serverInfo: { name: string; version: string };
  onInitialized(session: McpSession): void;
  onClosed(session: McpSession): void;
}

export class McpSession {
  readonly server: Server;
  readonly transport: SessionTransport;
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
    this.transport = new SessionTransport({ onInitialized: () => options.onInitialized(this), onClosed: () => options.onClosed(this) });
    this.server = new Server(options.serverInfo, {
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} },
    });
    this.server.onclose = () => void this.dropSubscriptions();
    this.install();
  }

  get id(): string {
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

  private caller(
    extra: { sendRequest: (r: never, s: typeof LOOSE, o?: { signal?: AbortSignal }) => Promise<unknown>; sendNotification: (n: never) => Promise<void> },
    sent: Promise<void>[],
  ): Caller {
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
        sent.push(extra.sendNotification({ method, params } as never).catch(() => undefined));
      },
    };
  }

  private methods(): McpMethods {
    return new McpMethods(this.deps.calls, this.key);
  }

  private install(): void {
    const s = this.server;
    const guard =
      <A extends unknown[]>(fn: (...a: A) => Promise<ServerResult> | ServerResult) =>
      async (...a: A): Promise<ServerResult> => {
        try {
          return await fn(...a);
        } catch (err) {
          throw toMcpError(err);
        }
      };
    s.setRequestHandler(ListToolsRequestSchema, guard(() => this.methods().listTools()));
    s.setRequestHandler(
      CallToolRequestSchema,
      guard(async (req, extra) => {
        const meta = req.params._meta as Record<string, unknown> | undefined;
        const token = meta?.progressToken as string | number | undefined;
        // Notifications relayed during the call go out before its result (the result ends the stream).
        const sent: Promise<void>[] = [];
        try {
          return await this.methods().callTool(req.params, {
            edge: "mcp",
            requestId: `${this.id}/${String(extra.requestId)}`,
            signal: extra.signal,
            meta,
            caller: this.caller(extra as never, sent),
            onProgress:
              token === undefined
                ? undefined
                : (p) => void sent.push(extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, ...p } }).catch(() => undefined)),
          });
        } finally {
          await Promise.all(sent);
        }
      }),
    );
    s.setRequestHandler(ListPromptsRequestSchema, guard(() => this.methods().listPrompts()));
    s.setRequestHandler(GetPromptRequestSchema, guard((req, extra) => this.methods().getPrompt(req.params, extra.signal)));
    s.setRequestHandler(ListResourcesRequestSchema, guard(() => this.methods().listResources()));
    s.setRequestHandler(ListResourceTemplatesRequestSchema, guard(() => this.methods().listResourceTemplates()));
    s.setRequestHandler(ReadResourceRequestSchema, guard((req, extra) => this.methods().readResource(req.params, extra.signal)));
    s.setRequestHandler(
      SubscribeRequestSchema,
      guard(async (req) => {
        const server = this.methods().resourceServer(req.params.uri);
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
    s.setRequestHandler(CompleteRequestSchema, guard((req, extra) => this.methods().complete(req.params, extra.signal)));
    s.setRequestHandler(SetLevelRequestSchema, async (req) => {
      this.level = req.params.level;
      return {};
    });
  }
}
