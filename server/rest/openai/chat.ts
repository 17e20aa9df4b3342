// POST /v1/chat/completions: OpenAI JSON in, the core's Generate or
// GenerateStream, OpenAI JSON or server-sent events out.
import type { Exchange } from "../exchange.js";
import type { RestDeps } from "../handler.js";
import { readJson } from "../json-body.js";
import { parseChatRequest } from "./chat-request.js";
import { completionJson } from "./chat-response.js";
import { writeChatStream } from "./chat-stream.js";

export async function chatCompletions(ex: Exchange, deps: RestDeps): Promise<void> {
  const { request, stream, includeUsage, ignored } = parseChatRequest(await readJson(ex.req, deps.maxBodyBytes));
  ex.ignore(ignored);
  if (!stream) {
    const res = await deps.inference.generate(request, ex.call);
    ex.json(200, completionJson(res, request.model, request.logprobs));
    return;
  }
  const events = deps.inference.generateStream(request, ex.call)[Symbol.asyncIterator]();
  // Pull the first event before answering: validation, routing and upstream
  // errors up to here still get a proper HTTP status (and fallback may run).
  const first = await events.next();
  await writeChatStream(ex, events, first, { requestedModel: request.model, includeUsage, logprobs: request.logprobs });
}
