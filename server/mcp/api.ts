// What the edges (rpc/tools.ts) see of the MCP bridge: plain async calls, so
// that nothing of the MCP SDK loads until tools are used.
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { CallOptions, ToolCaller } from "./calls.js";
import type { Exposed } from "./hub.js";
import type { ToolEvent } from "./stream.js";

export interface ServerStatus {
  name: string;
  transport: string;
  state: string;
  lastError: string;
  restarts: number;
  tools: number;
}

export interface ToolsApi {
  /** The tools this caller may call. */
  list(who: ToolCaller): Promise<Exposed<Tool>[]>;
  /** Every configured (enabled) server and its state. */
  servers(): Promise<ServerStatus[]>;
  /** The server serving exposed tool `name` ("" when none does). */
  serverOf(name: string): Promise<string>;
  call(who: ToolCaller, name: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult>;
  stream(who: ToolCaller, name: string, args: Record<string, unknown>, options: Omit<CallOptions, "onProgress" | "caller">): AsyncGenerator<ToolEvent>;
}
