// Failures of an MCP server, as hoosh reports them (one place): a JSON-RPC error
// from the server keeps its meaning (bad params stay INVALID_ARGUMENT), a
// server that cannot be reached or went away is UNAVAILABLE naming it. The
// server's own error travels along as the cause, so hoosh's /mcp endpoint can
// hand an MCP client the very error the server sent.
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** The server's message without the SDK's "MCP error N: " prefix. */
export function mcpMessage(err: McpError): string {
  return err.message.replace(/^MCP error -?\d+: /, "");
}

/** Unavailable, naming the server: it is down, restarting or unreachable. */
export function unavailable(server: string, why: string): ConnectError {
  return new ConnectError(`MCP server "${server}" is unavailable: ${why}`, Code.Unavailable);
}

const BY_MCP_CODE = new Map<number, Code>([
  [ErrorCode.InvalidParams, Code.InvalidArgument],
  [ErrorCode.InvalidRequest, Code.InvalidArgument],
  [ErrorCode.MethodNotFound, Code.Unimplemented],
  [ErrorCode.ParseError, Code.Internal],
  [ErrorCode.InternalError, Code.Internal],
  [ErrorCode.RequestTimeout, Code.DeadlineExceeded],
  [ErrorCode.UrlElicitationRequired, Code.FailedPrecondition],
]);

/** Any failure of a request to MCP server `server` as a ConnectError (cause: the original error). */
export function fromUpstream(server: string, err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof McpError) {
    if (err.code === ErrorCode.ConnectionClosed) return withCause(unavailable(server, "the connection closed during the request (the server exited or dropped it)"), err);
    const code = BY_MCP_CODE.get(err.code) ?? Code.Unknown;
    return withCause(new ConnectError(`MCP server "${server}" answered error ${err.code}: ${mcpMessage(err)}`, code), err);
  }
  if (err instanceof StreamableHTTPError) {
    return withCause(unavailable(server, `HTTP ${err.code ?? "error"}: ${err.message.replace(/^Streamable HTTP error: /, "")}`), err);
  }
  const message = err instanceof Error ? describe(err) : String(err);
  if (/not connected/i.test(message)) return withCause(unavailable(server, "not connected"), err);
  return withCause(unavailable(server, message), err);
}

/** fetch's "fetch failed" says nothing; its cause (ECONNREFUSED ...) does. */
function describe(err: Error): string {
  const own = (err as { code?: unknown }).code;
  if (typeof own === "string" && !err.message.includes(own)) return `${err.message} (${own})`;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${err.message} (${code})` : `${err.message} (${cause.message})`;
  }
  return err.message;
}

function withCause(e: ConnectError, cause: unknown): ConnectError {
  return new ConnectError(e.rawMessage, e.code, e.metadata, undefined, cause);
}

/** The MCP server's own error behind a ConnectError, if there is one (for /mcp, which relays it as is). */
export function upstreamMcpError(err: unknown): McpError | undefined {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause instanceof McpError && cause.code !== ErrorCode.ConnectionClosed && cause.code !== ErrorCode.RequestTimeout ? cause : undefined;
}
