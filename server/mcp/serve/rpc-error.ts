// A JSON-RPC error as an HTTP answer of /mcp, for requests that never reach a
// session's handlers (refused, malformed, unknown session): id null unless known.
import type { HttpResponse } from "../../rest/handler.js";
import { writeJson } from "../../rest/http-io.js";

export function writeRpcError(res: HttpResponse, status: number, code: number, message: string, headers: Record<string, string> = {}, id: string | number | null = null): void {
  writeJson(res, status, { jsonrpc: "2.0", error: { code, message }, id }, headers);
}
