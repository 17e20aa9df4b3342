// The engine reports text and tool-call chunks through callbacks; GenerateStream wants an
// async iterable. Chunks are buffered between the two (at most max_tokens of them, so the
// buffer is bounded); leaving the loop early aborts the generation at once.
//
// The start event waits for the first chunk (or the end): until then the request may still be
// refused (queue full, load failure) and the core can fall back to another provider, which it
// does only before the first event.
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { ConnectError } from "@connectrpc/connect";
import type { ChatResult, ToolCallChunk } from "../../engines/llm/types.js";
import { streamEvent } from "../stream-event.js";
import { FINISH, toolCallId, toUsage } from "./response.js";

export interface StreamSink {
  onText(text: string): void;
  onToolCall(chunk: ToolCallChunk): void;
}

export interface StreamMeta {
  id: string;
  model: string;
}

export async function* chatStream(
  run: (sink: StreamSink, signal: AbortSignal) => Promise<ChatResult>,
  meta: StreamMeta,
  callSignal: AbortSignal,
  mapError: (err: unknown) => ConnectError,
): AsyncGenerator<GenerateStreamResponse> {
  const stop = new AbortController();
  const queue: GenerateStreamResponse[] = [];
  let wake: (() => void) | undefined;
  const push = (event: GenerateStreamResponse) => {
    queue.push(event);
    wake?.();
    wake = undefined;
  };
  const announced = new Set<number>();
  const sink: StreamSink = {
    onText: (text) => {
      if (text) push(streamEvent({ case: "text", value: { text } }));
    },
    onToolCall: (c) => {
      // id and name go with a call's first chunk only, as OpenAI streams them.
      const first = !announced.has(c.index);
      announced.add(c.index);
      push(streamEvent({ case: "toolCall", value: { index: c.index, id: first ? toolCallId(meta.id, c.index) : "", name: first ? c.name : "", argumentsDelta: c.argumentsDelta } }));
    },
  };

  let done = false;
  let result: ChatResult | undefined;
  let failure: unknown;
  const running = run(sink, AbortSignal.any([callSignal, stop.signal]))
    .then(
      (r) => void (result = r),
      (err: unknown) => void (failure = err),
    )
    .finally(() => {
      done = true;
      wake?.();
    });

  let started = false;
  try {
    for (;;) {
      // Chunks already buffered when the caller went away are dropped: nothing follows a cancel.
      if (callSignal.aborted) throw mapError(callSignal.reason);
      if (queue.length > 0 || (done && failure === undefined)) {
        if (!started) yield streamEvent({ case: "start", value: { id: meta.id, model: meta.model } });
        started = true;
      }
      while (queue.length > 0 && !callSignal.aborted) yield queue.shift()!;
      if (done) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined) throw mapError(failure);
    const r = result!;
    yield streamEvent({ case: "end", value: { finishReason: FINISH[r.finish], usage: toUsage(r.usage) } });
  } finally {
    stop.abort();
    await running;
  }
}
