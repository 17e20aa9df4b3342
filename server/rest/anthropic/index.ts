// The Anthropic-compatible edge: POST /v1/messages and
// POST /v1/messages/count_tokens in Anthropic's JSON, translated to hoosh.v1
// once and served by the same core as the RPCs. Other paths pass.
import type { EdgeState, HttpRequest, HttpResponse, RestDeps, RestHandler } from "../handler.js";
import { writeJson } from "../http-io.js";
import { idHeaders } from "./call.js";
import { errorBody } from "./errors.js";
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
      writeJson(res, 404, errorBody("not_found_error", `no route for ${req.method} ${path}; this API serves ${SERVED}`), idHeaders(req));
      return true;
    }
    if (req.method !== "POST") {
      req.resume();
      writeJson(res, 405, errorBody("invalid_request_error", `method ${req.method} is not allowed on ${path}; use POST`), { ...idHeaders(req), allow: "POST" });
      return true;
    }
    await route(req, res, deps, state);
    return true;
  };
}
