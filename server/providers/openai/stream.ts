// OpenAI chat-completion chunks (SSE) to hoosh.v1 stream events.
import { guardStream } from "../stream-guard.js";
import { count } from "../counts.js";
import { Code, ConnectError } from "@connectrpc/connect";
import type { EventSourceMessage } from "eventsource-parser";
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { FinishReason } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { streamEvent as event } from "../stream-event.js";
import { fromFinishReason, fromLogprobs, fromUsage } from "./enums.js";
import type * as wire from "./wire.js";

type Chunk = wire.Loose<wire.ChatCompletionChunk>;

function parseChunk(provider: string, data: string): Chunk {
  try {
    return JSON.parse(data) as Chunk;
  } catch {
    throw new ConnectError(`provider "${provider}" sent a stream chunk that is not JSON: ${data.slice(0, 120)}`, Code.Internal);
  }
}

/**
 * Yields start, text/reasoning/tool-call deltas and one end event. The end
 * event carries finish reason and usage; the core assembles its message.
 */
export function chatStreamEvents(provider: string, sse: AsyncIterable<EventSourceMessage>): AsyncGenerator<GenerateStreamResponse> {
  return guardStream(provider, events(provider, sse));
}

async function* events(provider: string, sse: AsyncIterable<EventSourceMessage>): AsyncGenerator<GenerateStreamResponse> {
  let started = false;
  let done = false;
  let finish: FinishReason | undefined;
  let usage: Chunk["usage"];
  for await (const message of sse) {
    if (message.data === "[DONE]") {
      done = true;
      break;
    }
    const chunk = parseChunk(provider, message.data);
    if (chunk.error) {
      throw new ConnectError(`provider "${provider}" failed mid-stream: ${chunk.error.message ?? "unknown error"}`, Code.Unavailable);
    }
    if (!started) {
      started = true;
      yield event({ case: "start", value: { id: chunk.id ?? "", model: chunk.model ?? "" } });
    }
    // n=1: only the first choice exists.
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    if (delta?.reasoning_content) yield event({ case: "reasoning", value: { text: delta.reasoning_content } });
    const logprobs = choice?.logprobs?.content;
    if (delta?.content || logprobs?.length) yield event({ case: "text", value: { text: delta?.content ?? "", logprobs: fromLogprobs(logprobs) } });
    for (const call of delta?.tool_calls ?? []) {
      yield event({
        case: "toolCall",
        value: { index: count(call?.index), id: call?.id ?? "", name: call?.function?.name ?? "", argumentsDelta: call?.function?.arguments ?? "" },
      });
    }
    if (choice?.finish_reason) finish = fromFinishReason(choice.finish_reason);
    if (chunk.usage) usage = chunk.usage;
  }
  if (!done && finish === undefined) {
    throw new ConnectError(`provider "${provider}" ended the stream before it finished`, Code.Unavailable);
  }
  if (!started) yield event({ case: "start", value: {} });
  yield event({ case: "end", value: { finishReason: finish ?? FinishReason.UNSPECIFIED, usage: fromUsage(usage) } });
}
