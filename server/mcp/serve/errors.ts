// hoosh's errors as an MCP client on /mcp sees them (JSON-RPC errors). A server's
// own error is relayed unchanged (code, message, data); hoosh's own map by
// meaning: bad or unknown names and arguments are "invalid params" (-32602, as
// MCP specifies for unknown tools), a timeout is -32001, the rest are internal
// errors whose message names the cause and whose data carries the gRPC code.
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { upstreamMcpError } from "../errors.js";

const INVALID = new Set([Code.InvalidArgument, Code.NotFound, Code.PermissionDenied, Code.OutOfRange]);

export function toMcpError(err: unknown): McpError {
  if (err instanceof McpError) return err;
  const own = upstreamMcpError(err);
  if (own) return own;
  const e = ConnectError.from(err);
  const data: Record<string, unknown> = { code: codeToString(e.code) };
  const retry = e.metadata.get("retry-after");
  if (retry) data.retry_after_seconds = Number(retry);
  if (INVALID.has(e.code)) return new McpError(ErrorCode.InvalidParams, e.rawMessage, data);
  if (e.code === Code.DeadlineExceeded) return new McpError(ErrorCode.RequestTimeout, e.rawMessage, data);
  return new McpError(ErrorCode.InternalError, e.rawMessage, data);
}
