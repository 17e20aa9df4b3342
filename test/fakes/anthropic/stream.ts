// The Messages API event stream, in Anthropic's documented order:
// message_start, then per content block content_block_start / deltas /
// content_block_stop (a ping after the first start), message_delta with the
// stop reason and output usage, message_stop. Faults are injected after two
// deltas (stream-error, reset) or right after message_start (malformed).
import { headerInt, sleep, untilAborted, writeEvent, type Conn } from "./http.js";
import type { PlannedBlock, Reply } from "./reply.js";
import { OVERLOADED, type Script } from "./scripts.js";

type Json = Record<string, unknown>;

function startBlock(b: PlannedBlock): Json {
  if (b.type === "thinking") return { type: "thinking", thinking: "", signature: "" };
  if (b.type === "text") return { type: "text", text: "" };
  return { type: "tool_use", id: b.id, name: b.name, input: {} };
}

function delta(b: PlannedBlock, piece: string): Json {
  if (b.type === "thinking") return { type: "thinking_delta", thinking: piece };
  if (b.type === "text") return { type: "text_delta", text: piece };
  return { type: "input_json_delta", partial_json: piece };
}

export async function streamReply(conn: Conn, script: Script, reply: Reply, id: string, model: string): Promise<void> {
  const { res, signal } = conn;
  const delayMs = headerInt(conn.req, "x-fake-chunk-delay-ms") ?? (script.kind === "long-stream" ? 50 : 0);
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
  const message = { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null };
  writeEvent(conn, { type: "message_start", message: { ...message, usage: { ...reply.usage, output_tokens: 1 } } });
  if (script.kind === "malformed") {
    res.end('event: content_block_start\ndata: {"type":"content_block_start","index":0,\n\n');
    return;
  }
  if (script.kind === "stall-stream") return untilAborted(signal);

  let deltas = 0;
  for (const [index, block] of reply.blocks.entries()) {
    writeEvent(conn, { type: "content_block_start", index, content_block: startBlock(block) });
    if (index === 0) writeEvent(conn, { type: "ping" });
    // Anthropic opens a tool's input with an empty partial_json.
    if (block.type === "tool_use") writeEvent(conn, { type: "content_block_delta", index, delta: delta(block, "") });
    for (const piece of block.pieces) {
      if (delayMs > 0 && !(await sleep(delayMs, signal))) return;
      if (signal.aborted) return;
      writeEvent(conn, { type: "content_block_delta", index, delta: delta(block, piece) });
      if (++deltas === 2 && script.kind === "stream-error") {
        writeEvent(conn, { type: "error", error: OVERLOADED });
        res.end();
        return;
      }
      if (deltas === 2 && script.kind === "reset") {
        // Let the two deltas reach the client first: destroy() drops unflushed writes.
        await sleep(20, signal);
        res.socket?.destroy();
        return;
      }
    }
    if (block.type === "thinking") writeEvent(conn, { type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } });
    writeEvent(conn, { type: "content_block_stop", index });
  }
  writeEvent(conn, { type: "message_delta", delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence }, usage: { output_tokens: reply.usage.output_tokens } });
  writeEvent(conn, { type: "message_stop" });
  res.end();
}
