// The MCP methods hoosh's /mcp answers, for one key: lists filtered by its
// `tools` patterns and namespaced; calls and reads routed to the server that
// owns the name or URI. Shared by the sessions (2025-11-25) and the stateless
// path (2026-07-28). Errors are McpErrors (serve/errors.ts maps hoosh's own).
import { ErrorCode, McpError, type ServerResult } from "@modelcontextprotocol/sdk/types.js";
import { ALLOW_ALL, type NameFilter } from "../allowlist.js";
import type { CallOptions, ToolCalls } from "../calls.js";
import { fromUpstream } from "../errors.js";
import type { McpHub } from "../hub.js";
import { LOOSE } from "../upstream/catalog.js";

/** MCP's "resource not found" error code. */
export const RESOURCE_NOT_FOUND = -32002;

export interface Who {
  /** The API key's id (none when auth is off). */
  id?: string;
  allowed: NameFilter;
}

type Params = Record<string, unknown>;

export class McpMethods {
  constructor(
    private readonly calls: ToolCalls,
    private readonly who: Who,
  ) {}

  private get hub(): McpHub {
    return this.calls.hub;
  }

  private allowed(name: string): boolean {
    return this.who.allowed === ALLOW_ALL || this.who.allowed(name);
  }

  listTools(): ServerResult {
    return { tools: this.calls.list({ keyId: this.who.id, allowed: this.who.allowed }).map((t) => ({ ...t.item, name: t.name })) };
  }

  callTool(params: Params, options: CallOptions): Promise<ServerResult> {
    const name = typeof params.name === "string" ? params.name : "";
    const args = params.arguments === undefined ? {} : params.arguments;
    if (typeof args !== "object" || args === null || Array.isArray(args)) throw new McpError(ErrorCode.InvalidParams, "arguments: must be a JSON object");
    return this.calls.call({ keyId: this.who.id, allowed: this.who.allowed }, name, args as Params, options);
  }

  listPrompts(): ServerResult {
    return { prompts: this.hub.prompts().filter((p) => this.allowed(p.name)).map((p) => ({ ...p.item, name: p.name })) };
  }

  getPrompt(params: Params, signal: AbortSignal): Promise<ServerResult> {
    const name = String(params.name ?? "");
    const p = this.allowed(name) ? this.hub.prompt(name) : undefined;
    if (!p) throw new McpError(ErrorCode.InvalidParams, `no prompt "${name}"; prompts/list shows the prompts this key may use`);
    return this.forward(p.server, "prompts/get", { ...params, name: p.original }, signal);
  }

  listResources(): ServerResult {
    return { resources: this.hub.resources().filter((r) => this.allowed(r.name)).map((r) => ({ ...r.item, name: r.name })) };
  }

  listResourceTemplates(): ServerResult {
    return { resourceTemplates: this.hub.templates().filter((t) => this.allowed(t.name)).map((t) => ({ ...t.item, name: t.name })) };
  }

  readResource(params: Params, signal: AbortSignal): Promise<ServerResult> {
    return this.forward(this.resourceServer(String(params.uri ?? "")), "resources/read", params, signal);
  }

  /** The server serving `uri` for this key; MCP's "resource not found" otherwise. */
  resourceServer(uri: string): string {
    const found = this.hub.resolveResource(uri, (n) => this.allowed(n));
    if (!found) throw new McpError(RESOURCE_NOT_FOUND, "Resource not found", { uri });
    return found.server;
  }

  complete(params: Params, signal: AbortSignal): Promise<ServerResult> {
    const ref = (params.ref ?? {}) as { type?: string; name?: string; uri?: string };
    if (ref.type === "ref/prompt") {
      const p = this.allowed(String(ref.name)) ? this.hub.prompt(String(ref.name)) : undefined;
      if (!p) throw new McpError(ErrorCode.InvalidParams, `no prompt "${String(ref.name)}"`);
      return this.forward(p.server, "completion/complete", { ...params, ref: { ...ref, name: p.original } }, signal);
    }
    const t = this.hub.templates().find((e) => e.item.uriTemplate === ref.uri && this.allowed(e.name));
    if (!t) throw new McpError(ErrorCode.InvalidParams, `no resource template "${String(ref.uri)}"`);
    return this.forward(t.server, "completion/complete", params, signal);
  }

  /** A request passed to a server as is (its answer and its errors too). */
  async forward(server: string, method: string, params: Params, signal: AbortSignal): Promise<ServerResult> {
    const upstream = this.hub.upstream(server)!;
    try {
      return (await upstream.request((c) => c.request({ method, params } as never, LOOSE, { signal, timeout: upstream.config.call_timeout_ms }))) as ServerResult;
    } catch (err) {
      throw fromUpstream(server, err);
    }
  }
}
