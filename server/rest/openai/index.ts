// The OpenAI-compatible REST edge on the gateway's port: /v1/chat/completions,
// /v1/responses[/{id}], /v1/embeddings, /v1/models[/{id}], /v1/audio/transcriptions,
// /v1/audio/speech. OpenAI JSON is
// translated to hoosh.v1 here, once, and served by the same core as the RPCs.
import { invalidArgument } from "../../core/errors.js";
import { methodNotAllowed, unknownPath } from "../edge-errors.js";
import { Exchange, type EdgeDialect } from "../exchange.js";
import type { EdgeState, HttpRequest, HttpResponse, RestDeps, RestHandler } from "../handler.js";
import { discardBody } from "../http-io.js";
import { chatCompletions } from "./chat.js";
import { embeddings } from "./embeddings.js";
import { openAIParam, renderOpenAIError } from "./errors.js";
import { listModels, retrieveModel } from "./models.js";
import { speech } from "./speech.js";
import { responsesRoute } from "./responses/routes.js";
import { transcriptions } from "./transcriptions.js";

/** OpenAI's error JSON and field names, for every OpenAI edge. */
export const OPENAI_DIALECT: EdgeDialect = { render: renderOpenAIError, fieldName: openAIParam };

export type Endpoint = (ex: Exchange, deps: RestDeps) => Promise<void>;

const ENDPOINTS = new Map<string, { method: string; run: Endpoint }>([
  ["/v1/chat/completions", { method: "POST", run: chatCompletions }],
  ["/v1/embeddings", { method: "POST", run: embeddings }],
  ["/v1/models", { method: "GET", run: listModels }],
  ["/v1/audio/transcriptions", { method: "POST", run: transcriptions }],
  ["/v1/audio/speech", { method: "POST", run: speech }],
]);
const MODEL_PREFIX = "/v1/models/";

/** The path without the query string. */
export function pathOf(req: HttpRequest): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** GET /v1/models/{id}: the id is the rest of the path, URL-decoded, and may hold "/". */
function retrieveAt(path: string): Endpoint {
  return (ex, deps) => {
    let id: string;
    try {
      id = decodeURIComponent(path.slice(MODEL_PREFIX.length));
    } catch {
      throw invalidArgument("model", `the model id in ${JSON.stringify(path)} is not valid URL encoding`);
    }
    return retrieveModel(ex, deps, id);
  };
}

async function serve(ex: Exchange, deps: RestDeps, method: string, allowed: string, run: Endpoint): Promise<void> {
  try {
    if (method !== allowed && !(method === "HEAD" && allowed === "GET")) {
      discardBody(ex.req);
      throw methodNotAllowed(method, pathOf(ex.req), allowed);
    }
    await run(ex, deps);
  } catch (err) {
    ex.fail(err);
  } finally {
    ex.finish();
  }
}

/** Answers the OpenAI paths (405 for a wrong method) and passes every other request on. */
export function createOpenAIRest(deps: RestDeps): RestHandler {
  return async (req, res, state) => {
    const path = pathOf(req);
    const method = req.method ?? "GET";
    const endpoint = ENDPOINTS.get(path);
    const route =
      endpoint ?? responsesRoute(path, method) ?? (path.startsWith(MODEL_PREFIX) && path.length > MODEL_PREFIX.length ? { method: "GET", run: retrieveAt(path) } : undefined);
    if (!route) return false;
    await serve(new Exchange(req, res, deps.requestTimeoutMs, state, OPENAI_DIALECT), deps, method, route.method, route.run);
    return true;
  };
}

/**
 * The last /v1 edge in the chain: any /v1/* path no edge answered gets an
 * OpenAI-shaped 404 (other paths fall through to the RPC 404).
 */
export function createOpenAINotFound(deps: Pick<RestDeps, "requestTimeoutMs">): RestHandler {
  return async (req: HttpRequest, res: HttpResponse, state: EdgeState) => {
    const path = pathOf(req);
    if (path !== "/v1" && !path.startsWith("/v1/")) return false;
    discardBody(req);
    const ex = new Exchange(req, res, deps.requestTimeoutMs, state, OPENAI_DIALECT);
    ex.fail(unknownPath(req.method ?? "GET", path));
    return true;
  };
}
