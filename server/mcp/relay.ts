// Who a tool call is for, as seen from the MCP server it runs on. An MCP server
// may, while it runs a tool, ask the caller something (sampling/createMessage,
// elicitation/create) or send it log messages. hoosh holds one shared
// connection per server, so such a message must find the caller whose call it
// belongs to. Over Streamable HTTP the server sends it on the response stream
// of that call's POST: the transport knows which request that stream answers,
// and tags the message with it (a _meta key, removed again before relaying).
// Messages with no call behind them (stdio, the GET stream) find no caller.
// No AsyncLocalStorage: it would slow every promise in the process.
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";

export interface Caller {
  /** Sends a request to the caller (its MCP client) and returns its result; throws when it cannot answer. */
  request(method: string, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Sends a notification (e.g. notifications/message) to the caller. */
  notify(method: string, params: Record<string, unknown> | undefined): void;
}

/** The _meta key a transport tags a server's message with: the hoosh request it came with. */
export const RELAY_META = "dev.hoosh/relayed-for";

export class Relay {
  /** The caller of the request being sent right now (set around a synchronous send). */
  private pending?: Caller;
  private readonly byRequest = new Map<RequestId, Caller>();

  /** Runs `send` (which sends one request synchronously) with `caller` as that request's caller. */
  sending<T>(caller: Caller | undefined, send: () => T): T {
    this.pending = caller;
    try {
      return send();
    } finally {
      this.pending = undefined;
    }
  }

  /** Transport: request `id` is being sent; remember its caller, if any. */
  open(id: RequestId): void {
    if (this.pending) this.byRequest.set(id, this.pending);
  }

  /** Transport: request `id` is answered (or its stream is gone). */
  close(id: RequestId): void {
    this.byRequest.delete(id);
  }

  /** Transport: a message arrived on the stream of request `id`; tag it when that request has a caller. */
  tag(message: { method?: unknown; params?: Record<string, unknown> }, id: RequestId): void {
    if (typeof message.method !== "string" || !this.byRequest.has(id)) return;
    const params = (message.params ??= {});
    params._meta = { ...(params._meta as Record<string, unknown> | undefined), [RELAY_META]: id };
  }

  /** The caller a tagged message belongs to; removes the tag. */
  callerOf(params: { _meta?: Record<string, unknown> } | undefined): Caller | undefined {
    const meta = params?._meta;
    if (!meta || !(RELAY_META in meta)) return undefined;
    const id = meta[RELAY_META] as RequestId;
    delete meta[RELAY_META];
    if (Object.keys(meta).length === 0) delete params._meta;
    return this.byRequest.get(id);
  }
}
