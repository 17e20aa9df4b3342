// Who a tool call is for, as seen from the MCP server it runs on. An MCP server
// may, while it runs a tool, ask the caller something (sampling/createMessage,
// elicitation/create) or send it log messages. hoosh holds one shared
// connection per server, so the message must find the caller whose call it
// belongs to. Over Streamable HTTP the server sends such messages on the POST
// response stream of that call; the SDK reads that stream inside the async
// context the call was started in, so an AsyncLocalStorage set around the call
// is still current when the message arrives. Messages with no call behind them
// (a stdio server, or the standalone GET stream) find no caller.
import { AsyncLocalStorage } from "node:async_hooks";

export interface Caller {
  /** Sends a request to the caller (its MCP client) and returns its result; throws when it cannot answer. */
  request(method: string, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Sends a notification (e.g. notifications/message) to the caller. */
  notify(method: string, params: Record<string, unknown> | undefined): void;
}

export class Relay {
  private readonly storage = new AsyncLocalStorage<Caller>();

  /** Runs fn with `caller` as the caller of every message that arrives for it. */
  run<T>(caller: Caller | undefined, fn: () => Promise<T>): Promise<T> {
    return caller ? this.storage.run(caller, fn) : fn();
  }

  /** The caller of the message being handled, if one can be told. */
  current(): Caller | undefined {
    return this.storage.getStore();
  }
}
