// Access control for the OpenAI and Anthropic REST edges, which call the core
// directly (the /hoosh/v1 transcoder goes through the RPC interceptor instead):
// - restGate, first in the chain: authenticates /v1/* requests, checks the
//   path's scope and the key's rpm/tpm, answering 401/403/429 in the edge's own
//   error shape before any body is read; the key then travels in the chain's
//   per-request EdgeState (rest/handler.ts) to the edge that answers.
// - GuardedInference / guardedDeps (auth/guarded-core.ts): the core as the REST
//   edges see it, checking everything each call reaches against its key.
import type { HttpRequest, RestHandler } from "../rest/handler.js";
import { discardBody, writeText } from "../rest/http-io.js";
import { renderOpenAIError } from "../rest/openai/errors.js";
import { writeError as writeAnthropicError } from "../rest/anthropic/errors.js";
import { idHeaders } from "../rest/anthropic/call.js";
import { headerGetter, identity, type Auth, type Scope } from "./authorize.js";

function pathOf(req: HttpRequest): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** The scopes a REST path needs ("admin" passes all). */
export function restScopes(path: string): readonly Scope[] {
  if (path.startsWith("/v1/audio/")) return ["transcribe"];
  if (path === "/v1/models" || path.startsWith("/v1/models/")) return ["inference", "transcribe", "budgets:read"];
  return ["inference"];
}

export function restGate(auth: Auth): RestHandler {
  return async (req, res, state) => {
    if (!auth.enabled) return false;
    const path = pathOf(req);
    if (path !== "/v1" && !path.startsWith("/v1/")) return false;
    try {
      const key = await auth.check(headerGetter(req.headers), restScopes(path));
      if (key) {
        // Counted in flight (max_concurrent_requests) until the response is done or the client leaves.
        res.once("close", auth.enter(key));
        state.key = identity(key);
      }
      return false;
    } catch (err) {
      discardBody(req);
      if (path === "/v1/messages" || path.startsWith("/v1/messages/")) {
        writeAnthropicError(res, err, idHeaders(req));
      } else {
        const mapped = renderOpenAIError(err);
        writeText(res, mapped.status, JSON.stringify(mapped.body), "application/json", mapped.headers);
      }
      return true;
    }
  };
}
