// POST /v1/chat/completions — non-streaming and SSE streaming.
import { apiError, headerInt, randomId, sendError, sendJson, sleep, untilAborted, type Conn } from "./http.js";
import { planReply, type Reply } from "./reply.js";
import { STREAM_ERROR, scriptFor, type Script } from "./scripts.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const FINGERPRINT = "fp_hoosh_fake";

function validate(body: Json): ReturnType<typeof apiError> | null {
  if (typeof body.model !== "string" || body.model === "") {
    return apiError("you must provide a model parameter");
  }
  if (!Array.isArray(body.messages)) {
    return apiError("Missing required parameter: 'messages'.", "invalid_request_error", "messages", "missing_required_parameter");
  }
  if (body.messages.length === 0) {
    return apiError(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      "invalid_request_error",
      "messages",
      "empty_array",
    );
  }
  if (body.stream_options != null && body.stream !== true) {
    return apiError("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error", "stream_options");
  }
  return null;
}

export async function handleChat(conn: Conn, body: Json, slowMs: number): Promise<void> {
  const invalid = validate(body);
  if (invalid) return sendError(conn.res, 400, invalid);
  const model = body.model as string;
  const stream = body.stream === true;
  // A fault set per upstream (hoosh sends a provider's configured headers): every chat call fails.
  const forced = Number(conn.req.headers["x-fake-force-status"] ?? 0);
  if (forced >= 400) return sendError(conn.res, forced, apiError(`forced failure (x-fake-force-status ${forced})`, "server_error"));
  // A careless upstream (or proxy) that quotes the credentials it was sent in its error body.
  if (model === "fake-echo-auth") {
    const auth = String(conn.req.headers.authorization ?? "");
    return sendError(conn.res, 401, apiError(`Incorrect API key provided: ${auth.replace(/^Bearer /, "")} (header: ${auth}, encoded: ${encodeURIComponent(auth)})`, "invalid_request_error", null, "invalid_api_key"));
  }
  const script = scriptFor(model);

  if (script.kind === "error") return sendError(conn.res, script.status, script.error, script.headers);
  if (script.kind === "slow-first-byte" && !(await sleep(slowMs, conn.signal))) return;
  if (!stream && script.kind === "stall-stream") return untilAborted(conn.signal);
  if (!stream && script.kind === "stream-error") return sendError(conn.res, 500, STREAM_ERROR);

  const reply = planReply(body, conn.req, { longStream: stream && script.kind === "long-stream" });
  const head = { id: randomId("chatcmpl-"), created: Math.floor(Date.now() / 1000), model };
  if (stream) return streamReply(conn, body, script, reply, head);

  const tc = reply.toolCall;
  sendJson(conn.res, 200, {
    ...head,
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: tc ? null : reply.pieces.join(""),
          ...(tc ? { tool_calls: [{ id: tc.id, type: "function", function: { name: tc.name, arguments: tc.arguments } }] } : {}),
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: reply.finishReason,
      },
    ],
    usage: reply.usage,
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  });
}

async function streamReply(
  conn: Conn,
  body: Json,
  script: Script,
  reply: Reply,
  head: { id: string; created: number; model: string },
): Promise<void> {
  const { res, signal } = conn;
  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const delayMs = headerInt(conn.req, "x-fake-chunk-delay-ms") ?? (script.kind === "long-stream" ? 50 : 0);
  const base = { ...head, object: "chat.completion.chunk", service_tier: "default", system_fingerprint: FINGERPRINT };
  const usageNull = includeUsage ? { usage: null } : {};
  const chunk = (delta: Json, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageNull,
  });
  const send = (data: unknown) => {
    res.write(`data: ${JSON.stringify(data)}\n\n`);
    conn.chunks++;
  };

  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
  const tc = reply.toolCall;
  send(
    chunk(
      tc
        ? { role: "assistant", content: null, tool_calls: [{ index: 0, id: tc.id, type: "function", function: { name: tc.name, arguments: "" } }], refusal: null }
        : { role: "assistant", content: "", refusal: null },
    ),
  );
  if (script.kind === "stall-stream") return untilAborted(signal);

  for (const piece of reply.pieces) {
    if (delayMs > 0 && !(await sleep(delayMs, signal))) return;
    if (signal.aborted) return;
    send(chunk(tc ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece }));
    if (script.kind === "stream-error") {
      res.end(`data: ${JSON.stringify({ error: STREAM_ERROR })}\n\n`);
      return;
    }
  }
  send(chunk({}, reply.finishReason));
  if (includeUsage) send({ ...base, choices: [], usage: reply.usage });
  res.end("data: [DONE]\n\n");
}
