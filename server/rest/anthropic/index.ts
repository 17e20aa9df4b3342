// The Anthropic-compatible edge: POST /v1/messages and
// POST /v1/messages/count_tokens in Anthropic's JSON, translated to hoosh.v1
// once and served by the same core as the RPCs. Other paths pass.
import type { EdgeState, HttpRequest, HttpResponse, RestDeps, RestHandler } from "../handler.js";
import { methodNotAllowed, unknownPath } from "../edge-errors.js";
import { idHeaders } from "./call.js";
import { writeError } from "./errors.js";
import { handleCountTokens, handleMessages } from "./messages.js";

type Route = (req: HttpRequest, res: HttpResponse, deps: RestDeps, state: EdgeState) => Promise<void>;

const ROUTES = new Map<string, Route>([
  ["/v1/messages", handleMessages],
  ["/v1/messages/count_tokens", handleCountTokens],
]);
const SERVED = "POST /v1/messages, POST /v1/messages/count_tokens";

export function createAnthropicRest(deps: RestDeps): RestHandler {
  return async (req, res, state) => {
    const path = (req.url ?? "").split("?", 1)[0]!;
    if (path !== "/v1/messages" && !path.startsWith("/v1/messages/")) return false;
    const route = ROUTES.get(path);
    if (!route) {
      req.resume();
      writeError(res, unknownPath(req.method ?? "GET", path, SERVED), idHeaders(req));
      return true;
    }
    if (req.method !== "POST") {
      req.resume();
      writeError(res, methodNotAllowed(req.method ?? "GET", path, "POST"), idHeaders(req));
      return true;
    }
    await route(req, res, deps, state);
    return true;
  };
}
