// Ollama /api/chat stream lines (NDJSON, already parsed) to hoosh.v1 stream events.
import { guardStream } from "../stream-guard.js";
import { Code, ConnectError } from "@connectrpc/connect";
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { streamEvent as event } from "../stream-event.js";
import { fromDoneReason, fromToolCall, fromUsage } from "./response.js";
import type { ChatResponse } from "./wire.js";

/**
 * Yields start, reasoning/text/tool-call deltas and one end event. Each tool
 * call arrives whole in one line, so it is one delta with id, name and all
 * its arguments. The line with done:true ends the stream; an {"error"} line
 * or a body that ends before it is Unavailable.
 */
export function chatStreamEvents(provider: string, lines: AsyncIterable<ChatResponse>): AsyncGenerator<GenerateStreamResponse> {
  return guardStream(provider, events(provider, lines));
}

async function* events(provider: string, lines: AsyncIterable<ChatResponse>): AsyncGenerator<GenerateStreamResponse> {
  let started = false;
  let toolCalls = 0;
  let last: ChatResponse | undefined;
  for await (const line of lines) {
    if (typeof line !== "object" || line === null) {
      throw new ConnectError(`provider "${provider}" sent a stream line that is not a JSON object: ${JSON.stringify(line).slice(0, 120)}`, Code.Internal);
    }
    if (line.error !== undefined) {
      throw new ConnectError(`provider "${provider}" failed mid-stream: ${String(line.error) || "unknown error"}`, Code.Unavailable);
    }
    if (!started) {
      started = true;
      yield event({ case: "start", value: { id: "", model: line.model ?? "" } });
    }
    const msg = line.message;
    if (msg?.thinking) yield event({ case: "reasoning", value: { text: msg.thinking } });
    if (msg?.content) yield event({ case: "text", value: { text: msg.content } });
    for (const call of msg?.tool_calls ?? []) {
      const { id, name, arguments: args } = fromToolCall(call, toolCalls);
      yield event({ case: "toolCall", value: { index: toolCalls, id, name, argumentsDelta: args } });
      toolCalls++;
    }
    if (line.done === true) {
      last = line;
      break;
    }
  }
  if (!last) throw new ConnectError(`provider "${provider}" ended the stream before it finished`, Code.Unavailable);
  yield event({ case: "end", value: { finishReason: fromDoneReason(last.done_reason, toolCalls > 0), usage: fromUsage(last) } });
}
