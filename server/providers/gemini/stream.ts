// streamGenerateContent?alt=sse to hoosh.v1 stream events. Every SSE data
// field is a whole GenerateContentResponse: text parts become text deltas,
// thought parts reasoning deltas, and each functionCall (it arrives whole) one
// tool-call delta carrying id, name and all of its arguments.
import { guardStream } from "../stream-guard.js";
import { Code, ConnectError } from "@connectrpc/connect";
import type { EventSourceMessage } from "eventsource-parser";
import { FinishReason } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { streamEvent as event } from "../stream-event.js";
import { googleError } from "./errors.js";
import { answerBlocked, callId, finishWithCalls, fromFinishReason, fromUsage, promptBlocked } from "./response.js";
import type { Candidate, GenerateContentResponse, UsageMetadata } from "./wire.js";

/** SSE messages parsed as GenerateContentResponse chunks. */
export async function* sseChunks(provider: string, sse: AsyncIterable<EventSourceMessage>): AsyncGenerator<GenerateContentResponse> {
  for await (const message of sse) {
    if (message.data.trim() === "") continue;
    try {
      yield JSON.parse(message.data) as GenerateContentResponse;
    } catch {
      throw new ConnectError(`provider "${provider}" sent a stream chunk that is not JSON: ${message.data.slice(0, 120)}`, Code.Internal);
    }
  }
}

/**
 * Yields one start, text/reasoning/tool-call deltas and one end event (finish
 * reason and the last chunk's usage). A stream that stops before any finish
 * reason is Unavailable; Google errors inside the stream keep their code.
 */
export function geminiStreamEvents(provider: string, chunks: AsyncIterable<GenerateContentResponse>): AsyncGenerator<GenerateStreamResponse> {
  return guardStream(provider, events(provider, chunks));
}

async function* events(provider: string, chunks: AsyncIterable<GenerateContentResponse>): AsyncGenerator<GenerateStreamResponse> {
  let started = false;
  let calls = 0;
  let answered = false;
  let finished: Candidate | undefined;
  let usage: UsageMetadata | undefined;
  for await (const chunk of chunks) {
    if (chunk.error) throw googleError(provider, chunk.error, 0);
    const blocked = promptBlocked(provider, chunk);
    if (blocked) throw blocked;
    if (!started) {
      started = true;
      yield event({ case: "start", value: { id: chunk.responseId ?? "", model: chunk.modelVersion ?? "" } });
    }
    // One candidate (candidateCount defaults to 1).
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.functionCall) {
        const call = part.functionCall;
        yield event({ case: "toolCall", value: { index: calls, id: callId(call, calls), name: call.name, argumentsDelta: JSON.stringify(call.args ?? {}) } });
        calls++;
        answered = true;
      } else if (part.text) {
        if (part.thought) {
          yield event({ case: "reasoning", value: { text: part.text } });
        } else {
          yield event({ case: "text", value: { text: part.text } });
          answered = true;
        }
      }
    }
    if (candidate?.finishReason) finished = candidate;
    if (chunk.usageMetadata) usage = chunk.usageMetadata;
  }
  if (!finished) throw new ConnectError(`provider "${provider}" ended the stream before it finished`, Code.Unavailable);
  const reason = fromFinishReason(finished.finishReason);
  if (reason === FinishReason.CONTENT_FILTER && !answered) throw answerBlocked(provider, finished);
  yield event({ case: "end", value: { finishReason: finishWithCalls(reason, calls), usage: fromUsage(usage) } });
}

/** Chunks of a streamGenerateContent answer that came as one JSON array (no alt=sse). */
export async function* arrayChunks(body: unknown): AsyncGenerator<GenerateContentResponse> {
  for (const chunk of Array.isArray(body) ? body : [body]) yield chunk as GenerateContentResponse;
}
