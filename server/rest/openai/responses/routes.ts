// The Responses API paths: POST /v1/responses (JSON or typed SSE), and the stored-response paths
// (GET/DELETE /v1/responses/{id}, .../cancel, .../input_items), which answer 404: hoosh keeps no
// responses (README: "The Responses API"), so there is never one to fetch, delete or continue.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Exchange } from "../../exchange.js";
import type { RestDeps } from "../../handler.js";
import { discardBody } from "../../http-io.js";
import { readJson } from "../../json-body.js";
import { parseResponsesRequest } from "./request.js";
import { responseJson } from "./response.js";
import { writeResponsesStream } from "./stream.js";

type Endpoint = (ex: Exchange, deps: RestDeps) => Promise<void>;

const PREFIX = "/v1/responses/";

export async function createResponse(ex: Exchange, deps: RestDeps): Promise<void> {
  const call = parseResponsesRequest(await readJson(ex.req, deps.maxBodyBytes));
  ex.names = call.names;
  ex.ignore(call.ignored);
  if (!call.stream) {
    const res = await deps.inference.generate(call.request, ex.call);
    ex.json(200, responseJson(call, res));
    return;
  }
  const events = deps.inference.generateStream(call.request, ex.call)[Symbol.asyncIterator]();
  // Pull the first event before answering: errors up to here still get a proper HTTP status.
  const first = await events.next();
  await writeResponsesStream(ex, call, events, first);
}

function notStored(id: string): Endpoint {
  return async (ex) => {
    discardBody(ex.req);
    throw new ConnectError(`response ${JSON.stringify(id)} not found: hoosh does not store responses (store and previous_response_id are not supported)`, Code.NotFound);
  };
}

/** The route for a Responses path, or undefined when `path` is not one. */
export function responsesRoute(path: string, method: string): { method: string; run: Endpoint } | undefined {
  if (path === "/v1/responses") return { method: "POST", run: createResponse };
  if (!path.startsWith(PREFIX) || path.length === PREFIX.length) return undefined;
  const [id = "", sub, more] = path.slice(PREFIX.length).split("/", 3);
  if (more !== undefined) return undefined;
  // GET and DELETE on the response itself; POST .../cancel; GET .../input_items.
  const allowed = sub === undefined ? (method === "DELETE" ? "DELETE" : "GET") : sub === "cancel" ? "POST" : sub === "input_items" ? "GET" : undefined;
  return allowed ? { method: allowed, run: notStored(id) } : undefined;
}
