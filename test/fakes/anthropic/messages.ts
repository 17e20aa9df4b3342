// POST /v1/messages: validation, scripted faults, the whole answer, or the
// event stream (stream.ts).
import { randomId, sendError, sendJson, sleep, untilAborted, type Conn } from "./http.js";
import { planReply, type PlannedBlock, type Reply } from "./reply.js";
import { OVERLOADED, scriptFor } from "./scripts.js";
import { streamReply } from "./stream.js";
import { validateMessages } from "./validate.js";

type Json = Record<string, unknown>;

/** A planned block as it appears, complete, in a non-streaming answer. */
function wholeBlock(b: PlannedBlock): Json {
  if (b.type === "thinking") return { type: "thinking", thinking: b.pieces.join(""), signature: b.signature };
  if (b.type === "text") return { type: "text", text: b.pieces.join("") };
  return { type: "tool_use", id: b.id, name: b.name, input: b.input };
}

export function messageBody(id: string, model: string, reply: Reply): Json {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: reply.blocks.map(wholeBlock),
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: { ...reply.usage, service_tier: "standard" },
  };
}

export async function handleMessages(conn: Conn, body: Json, slowMs: number): Promise<void> {
  const invalid = validateMessages(body);
  if (invalid) return sendError(conn.res, 400, invalid);
  const model = body.model as string;
  const stream = body.stream === true;
  const script = scriptFor(model);

  if (script.kind === "error") return sendError(conn.res, script.status, script.error, script.headers);
  if (script.kind === "slow-first-byte" && !(await sleep(slowMs, conn.signal))) return;
  if (!stream) {
    if (script.kind === "stall-stream") return untilAborted(conn.signal);
    if (script.kind === "stream-error") return sendError(conn.res, 529, OVERLOADED);
    if (script.kind === "reset") {
      conn.res.socket?.destroy();
      return;
    }
    if (script.kind === "malformed") {
      conn.res.writeHead(200, { "content-type": "application/json" });
      conn.res.end('{"id":"msg_01broken","type":"message","content":[{"type":"text","text":"cut');
      return;
    }
  }
  const reply = planReply(body, conn.req, { longStream: stream && script.kind === "long-stream" });
  const id = randomId("msg_01", 22);
  if (stream) return streamReply(conn, script, reply, id, model);
  sendJson(conn.res, 200, messageBody(id, model, reply));
}

