// Builds a GenerateStreamResponse from a plain event init; shared by adapters.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { GenerateStreamResponseSchema, type GenerateResponse, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";

export type StreamEventInit = NonNullable<MessageInitShape<typeof GenerateStreamResponseSchema>["event"]>;

export function streamEvent(event: StreamEventInit): GenerateStreamResponse {
  return create(GenerateStreamResponseSchema, { event });
}

/**
 * A complete answer replayed as stream events: for servers that answer a stream request whole,
 * and for answers from the semantic cache. The end event carries the whole message and usage.
 */
export function* wholeAsStream(whole: GenerateResponse): Generator<GenerateStreamResponse> {
  yield streamEvent({ case: "start", value: { id: whole.id, model: whole.model, provider: whole.usage?.provider ?? "" } });
  let logprobs = whole.logprobs;
  for (const part of whole.message?.content ?? []) {
    const p = part.part;
    if (p.case === "text") {
      yield streamEvent({ case: "text", value: { text: p.value, logprobs } });
      logprobs = [];
    } else if (p.case === "reasoning") {
      yield streamEvent({ case: "reasoning", value: { text: p.value.text, signature: p.value.signature, redacted: p.value.redacted } });
    }
  }
  for (const [index, call] of (whole.message?.toolCalls ?? []).entries()) {
    yield streamEvent({ case: "toolCall", value: { index, id: call.id, name: call.name, argumentsDelta: call.arguments } });
  }
  yield streamEvent({ case: "end", value: { finishReason: whole.finishReason, usage: whole.usage, message: whole.message } });
}
