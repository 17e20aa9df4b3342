// POST /v1beta/models/{model}:generateContent and :streamGenerateContent
// (?alt=sse: Server-Sent Events; otherwise one JSON array, as Google does).
import { headerInt, randomId, sendJson, sleep, type Conn } from "../openai/http.js";
import { INTERNAL, scriptFor, sendGoogleError, type Script } from "./errors.js";
import { planReply, SAFETY_RATINGS, type Reply } from "./reply.js";
import { checkGenerateRequest, field, isObject } from "./validate.js";

type Json = Record<string, unknown>;

interface Answer {
  chunks: Json[];
  whole: Json;
}

function includeThoughts(body: Json): boolean {
  const g = field(body, "generationConfig");
  const t = isObject(g) ? field(g, "thinkingConfig") : undefined;
  return isObject(t) && field(t, "includeThoughts") === true;
}

/** The stream chunks of a reply and the single response generateContent gives for it. */
function answer(reply: Reply, head: Json, thoughts: boolean): Answer {
  const candidate = (parts: Json[], finishReason?: string): Json => ({
    content: { parts, role: "model" },
    ...(finishReason ? { finishReason } : {}),
    index: 0,
  });
  const partial = { promptTokenCount: reply.usage.promptTokenCount, totalTokenCount: reply.usage.promptTokenCount };
  if (reply.blocked === "prompt") {
    const whole = { promptFeedback: { blockReason: "SAFETY", safetyRatings: SAFETY_RATINGS("HARM_CATEGORY_DANGEROUS_CONTENT") }, usageMetadata: reply.usage, ...head };
    return { chunks: [whole], whole };
  }
  if (reply.blocked === "answer") {
    const whole = { candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: SAFETY_RATINGS("HARM_CATEGORY_HARASSMENT") }], usageMetadata: reply.usage, ...head };
    return { chunks: [whole], whole };
  }
  const thoughtParts = reply.thought && thoughts ? [{ text: reply.thought, thought: true }] : [];
  if (reply.calls.length > 0) {
    const calls = reply.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } }));
    const whole = { candidates: [candidate([...thoughtParts, ...calls], "STOP")], usageMetadata: reply.usage, ...head };
    return { chunks: [whole], whole };
  }
  const chunks: Json[] = thoughtParts.map((p) => ({ candidates: [candidate([p])], usageMetadata: partial, ...head }));
  reply.pieces.forEach((text, i) => {
    const lastOne = i === reply.pieces.length - 1;
    chunks.push({ candidates: [candidate([{ text }], lastOne ? reply.finishReason : undefined)], usageMetadata: lastOne ? reply.usage : partial, ...head });
  });
  const text = reply.pieces.join("");
  const whole = { candidates: [candidate([...thoughtParts, ...(text ? [{ text }] : [])], reply.finishReason)], usageMetadata: reply.usage, ...head };
  return { chunks, whole };
}

export async function handleGenerate(conn: Conn, model: string, stream: boolean, sse: boolean, body: Json, slowMs: number): Promise<void> {
  const method = stream ? "streamGenerateContent" : "generateContent";
  const script = scriptFor(model, method);
  if (script.kind === "error") return sendGoogleError(conn.res, script.error, script.headers);
  checkGenerateRequest(body);
  if (script.kind === "slow-first-byte" && !(await sleep(slowMs, conn.signal))) return;
  if (!stream && script.kind === "reset") return void conn.req.socket.destroy();
  if (!stream && script.kind === "stream-error") return sendGoogleError(conn.res, INTERNAL);
  if (!stream && script.kind === "malformed") {
    conn.res.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
    return void conn.res.end('{\n  "candidates": [\n    {\n      "content": {');
  }

  const reply = planReply(body, conn.req, { longStream: stream && script.kind === "long-stream" });
  const { chunks, whole } = answer(reply, { modelVersion: model, responseId: randomId("", 23) }, includeThoughts(body));
  if (!stream) return sendJson(conn.res, 200, whole);
  return streamAnswer(conn, script, chunks, sse);
}

async function streamAnswer(conn: Conn, script: Script, chunks: Json[], sse: boolean): Promise<void> {
  const { res, signal } = conn;
  const delayMs = headerInt(conn.req, "x-fake-chunk-delay-ms") ?? (script.kind === "long-stream" ? 50 : 0);
  res.writeHead(200, { "content-type": sse ? "text/event-stream" : "application/json; charset=UTF-8", "cache-control": "no-cache" });
  if (!sse) res.write("[");
  const write = (data: string, first: boolean) => res.write(sse ? `data: ${data}\r\n\r\n` : `${first ? "" : ",\r\n"}${data}`);
  if (script.kind === "no-finish") {
    for (const c of chunks) delete ((c.candidates as Json[])[0] ?? {}).finishReason;
  }
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0 && delayMs > 0 && !(await sleep(delayMs, signal))) return;
    if (signal.aborted) return;
    write(JSON.stringify(chunk), i === 0);
    conn.chunks++;
    if (i === 0 && script.kind === "reset") return void conn.req.socket.destroy();
    if (i === 0 && script.kind === "stream-error") {
      const error = JSON.stringify({ error: INTERNAL });
      return void res.end(sse ? `data: ${error}\r\n\r\n` : `,\r\n${error}]`);
    }
    if (i === 0 && script.kind === "malformed") return void res.end(sse ? 'data: {"candidates": [{"content": \r\n\r\n' : ",\r\n{]");
  }
  if (!sse) res.write("]");
  res.end();
}
