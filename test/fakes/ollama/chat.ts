// POST /api/chat: one JSON answer with "stream": false, NDJSON lines otherwise
// (Ollama streams when the field is absent).
import { createdAt, headerInt, sendError, sendJson, sleep, startNdjson, writeLine, type Conn } from "./http.js";
import { planReply, type Reply } from "./reply.js";
import { STREAM_ERROR, scriptFor, type Script } from "./scripts.js";
import { checkChat } from "./validate.js";

type Json = Record<string, unknown>;

const message = (content: string, extra: Json = {}) => ({ role: "assistant", content, ...extra });

/** The statistics of Ollama's last line (durations in nanoseconds). */
function stats(reply: Reply): Json {
  return {
    total_duration: 1_500_000_000,
    load_duration: 20_000_000,
    prompt_eval_count: reply.promptEvalCount,
    prompt_eval_duration: 80_000_000,
    eval_count: reply.evalCount,
    eval_duration: 1_400_000_000,
  };
}

export async function handleChat(conn: Conn, body: Json, slowMs: number): Promise<void> {
  const invalid = checkChat(body);
  if (invalid) return sendError(conn.res, 400, invalid);
  const model = body.model as string;
  const stream = body.stream !== false;
  const script = scriptFor(model);

  if (script.kind === "error") return sendError(conn.res, script.status, script.message, script.headers);
  if (script.kind === "slow-first-byte" && !(await sleep(slowMs, conn.signal))) return;
  const head = () => ({ model, created_at: createdAt() });
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    // No messages: Ollama only loads the model.
    return sendJson(conn.res, 200, { ...head(), message: message(""), done_reason: "load", done: true });
  }

  const reply = planReply(body, { longStream: script.kind === "long-stream", think: script.kind === "think" });
  if (stream) return streamReply(conn, script, reply, head);
  if (script.kind === "stream-error") return sendError(conn.res, 500, STREAM_ERROR);
  if (script.kind === "reset") {
    conn.selfClosed = true;
    return void conn.req.socket.destroy();
  }
  if (script.kind === "malformed") {
    conn.res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    return void conn.res.end("{\"model\": not json");
  }
  const extra: Json = {};
  if (reply.thinking.length > 0) extra.thinking = reply.thinking.join("");
  if (reply.toolCalls.length > 0) extra.tool_calls = reply.toolCalls;
  sendJson(conn.res, 200, { ...head(), message: message(reply.pieces.join(""), extra), done_reason: reply.doneReason, done: true, ...stats(reply) });
}

async function streamReply(conn: Conn, script: Script, reply: Reply, head: () => Json): Promise<void> {
  const { signal } = conn;
  const delayMs = headerInt(conn.req, "x-fake-chunk-delay-ms") ?? (script.kind === "long-stream" ? 50 : 0);
  startNdjson(conn.res);
  for (const piece of reply.thinking) writeLine(conn, { ...head(), message: message("", { thinking: piece }), done: false });
  if (reply.toolCalls.length > 0) writeLine(conn, { ...head(), message: message("", { tool_calls: reply.toolCalls }), done: false });

  for (const piece of reply.pieces) {
    if (delayMs > 0 && !(await sleep(delayMs, signal))) return;
    if (signal.aborted) return;
    writeLine(conn, { ...head(), message: message(piece), done: false });
    if (script.kind === "malformed" && conn.chunks === 1) return void conn.res.end("this line is not JSON\n");
    if (conn.chunks < 2) continue;
    if (script.kind === "stream-error") return void conn.res.end(JSON.stringify({ error: STREAM_ERROR }) + "\n");
    if (script.kind === "reset") {
      // Let the two lines reach the client, then drop the connection without ending the body.
      await sleep(20, signal);
      conn.selfClosed = true;
      return void conn.req.socket.destroy();
    }
  }
  writeLine(conn, { ...head(), message: message(""), done_reason: reply.doneReason, done: true, ...stats(reply) });
  conn.res.end();
}
