// POST /v1/tools/list and /v1/tools/call, the routes hoosh's seed served tools
// on: the same requests and answers as the native /hoosh/v1/tools:list and
// /hoosh/v1/tools:call (protobuf JSON of hoosh.v1.ToolsService; errors as
// google.rpc.Status JSON), served by the ToolsService transcoder, so the key
// check (scope "tools"), limits and audit are exactly those of the RPCs.
import type { RestHandler } from "../handler.js";

const SEED_ROUTES: Record<string, string> = {
  "/v1/tools/list": "/hoosh/v1/tools:list",
  "/v1/tools/call": "/hoosh/v1/tools:call",
};

/** `tools` answers ToolsService's /hoosh/v1/tools:* bindings (a transcoder over ToolsService only). */
export function createToolsRest(tools: RestHandler): RestHandler {
  return (req, res, state) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const native = SEED_ROUTES[q < 0 ? url : url.slice(0, q)];
    if (native !== undefined) req.url = native + (q < 0 ? "" : url.slice(q));
    return tools(req, res, state);
  };
}
