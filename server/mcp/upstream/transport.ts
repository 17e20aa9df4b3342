// The SDK transport for one [[mcp_servers]] entry: a child process over stdio
// (started with a minimal environment: the SDK's short list of safe variables
// plus the entry's `env`, nothing else of hoosh's), or Streamable HTTP with the
// entry's headers (http-transport.ts). A child's stderr is kept (last lines) for crash reports and
// logged at debug level.
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "../../config/schema.js";
import { HttpClientTransport } from "./http-transport.js";
import { ordered } from "./ordered.js";
import type { Relay } from "../relay.js";

const STDERR_LINES = 20;

export interface UpstreamTransport {
  transport: Transport;
  /** The child's PID (stdio, once started). */
  pid(): number | undefined;
  /** The child's last stderr lines (stdio). */
  stderrTail(): string[];
}

export function createTransport(config: McpServerConfig, relay: Relay, onStderr: (line: string) => void): UpstreamTransport {
  if (config.transport === "http") {
    const transport = ordered(new HttpClientTransport(new URL(config.url!), config.headers, relay));
    return { transport, pid: () => undefined, stderrTail: () => [] };
  }
  const stdio = new StdioClientTransport({ command: config.command!, args: config.args, env: config.env, cwd: config.cwd, stderr: "pipe" });
  const tail: string[] = [];
  let partial = "";
  stdio.stderr?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    if (partial.length > 4096) partial = partial.slice(-4096);
    for (const line of lines) {
      if (line.trim() === "") continue;
      tail.push(line.slice(0, 1000));
      if (tail.length > STDERR_LINES) tail.shift();
      onStderr(line);
    }
  });
  return { transport: ordered(stdio), pid: () => stdio.pid ?? undefined, stderrTail: () => [...tail] };
}
