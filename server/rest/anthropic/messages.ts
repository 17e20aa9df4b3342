// POST /v1/messages and POST /v1/messages/count_tokens: read and translate
// the request once, call the core, answer in Anthropic's JSON or SSE.
import type { EdgeState, HttpRequest, HttpResponse, RestDeps } from "../handler.js";
import { SseWriter, writeJson } from "../http-io.js";
import { readJson } from "../json-body.js";
import { edgeCall, type EdgeCall } from "./call.js";
import { approximateInputTokens } from "./count-tokens.js";
import { renderError, writeError } from "./errors.js";
import { parseRequest, type ParsedRequest } from "./request.js";
import { messageResponse } from "./response.js";
import { StreamTranslator } from "./stream.js";

export async function handleMessages(req: HttpRequest, res: HttpResponse, deps: RestDeps, state: EdgeState): Promise<void> {
  const edge = edgeCall(req, res, deps.requestTimeoutMs, state);
  try {
    const parsed = parseRequest(await readJson(req, deps.maxBodyBytes), { requireMaxTokens: true });
    if (parsed.stream) return await stream(res, deps, edge, parsed);
    const result = await deps.inference.generate(parsed.chat, edge.call);
    writeJson(res, 200, messageResponse(result, parsed.chat.model), edge.headers(parsed.ignored));
  } catch (err) {
    writeError(res, err, edge.call.stats!.attempts > 0 ? edge.headers() : edge.idHeaders);
  } finally {
    edge.done();
  }
}

/**
 * Waits for the first core event before answering, so a failure to start (bad
 * model, upstream 401/429, ...) is a plain HTTP error. After that, a failure is
 * an `event: error` and the stream closes: never a made-up normal finish.
 */
async function stream(res: HttpResponse, deps: RestDeps, edge: EdgeCall, parsed: ParsedRequest): Promise<void> {
  const events = deps.inference.generateStream(parsed.chat, edge.call)[Symbol.asyncIterator]();
  let next = await events.next();
  const sse = new SseWriter(res);
  sse.open(edge.headers(parsed.ignored));
  const translator = new StreamTranslator(parsed.chat.model);
  let finished = false;
  try {
    for (; !next.done; next = await events.next()) {
      for (const event of translator.translate(next.value.event)) {
        if (!(await sse.send(JSON.stringify(event), event.type))) return; // client gone: finally stops the upstream
        if (event.type === "message_stop") finished = true;
      }
    }
    if (!finished) throw new Error("the upstream stream ended without a final event");
  } catch (err) {
    await sse.send(JSON.stringify(renderError(err).body), "error");
  } finally {
    if (!next.done) await events.return?.(undefined);
    sse.end();
  }
}

export async function handleCountTokens(req: HttpRequest, res: HttpResponse, deps: RestDeps, state: EdgeState): Promise<void> {
  const edge = edgeCall(req, res, deps.requestTimeoutMs, state);
  try {
    const parsed = parseRequest(await readJson(req, deps.maxBodyBytes), { requireMaxTokens: false });
    // Like Anthropic, a model nobody serves is 404.
    await deps.catalog.get(parsed.chat.model, edge.call.signal);
    writeJson(res, 200, { input_tokens: approximateInputTokens(parsed.chat) }, { ...edge.idHeaders, "x-hoosh-token-count": "approximate" });
  } catch (err) {
    writeError(res, err, edge.idHeaders);
  } finally {
    edge.done();
  }
}
