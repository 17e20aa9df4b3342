// hoosh.v1 stream events to OpenAI chat.completion.chunk server-sent events:
// a role chunk, content / tool-call deltas, the finish chunk, the usage chunk
// (stream_options.include_usage), then [DONE]. A failure after the first byte
// is one `data: {"error":...}` event and the end of the stream, never a finish.
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { toFinishReason, toLogprobs, toUsage } from "../../providers/openai/enums.js";
import type * as wire from "../../providers/openai/wire.js";
import type { Exchange } from "../exchange.js";
import { completionId, unixSeconds } from "./chat-response.js";

export interface StreamOptions {
  requestedModel: string;
  includeUsage: boolean;
  logprobs: boolean;
}

/** Turns events into chunks; keeps the id, model and creation time every chunk repeats. */
class ChunkBuilder {
  private id = "";
  private model: string;
  private readonly created = unixSeconds();
  private calledTools = false;

  constructor(private readonly options: StreamOptions) {
    this.model = options.requestedModel;
  }

  chunks(response: GenerateStreamResponse): wire.ChatCompletionChunk[] {
    const ev = response.event;
    switch (ev.case) {
      case "start":
        this.id = ev.value.id || completionId();
        this.model = ev.value.model || this.model;
        return [this.chunk({ role: "assistant", content: "" })];
      case "text": {
        if (!ev.value.text && ev.value.logprobs.length === 0) return [];
        const chunk = this.chunk({ content: ev.value.text });
        if (this.options.logprobs) chunk.choices[0]!.logprobs = { content: toLogprobs(ev.value.logprobs), refusal: null };
        return [chunk];
      }
      case "reasoning":
        return ev.value.text ? [this.chunk({ reasoning_content: ev.value.text })] : [];
      case "toolCall": {
        this.calledTools = true;
        const d = ev.value;
        const delta: wire.ToolCallDelta = { index: d.index, function: { arguments: d.argumentsDelta } };
        if (d.id) Object.assign(delta, { id: d.id, type: "function" });
        if (d.name) delta.function.name = d.name;
        return [this.chunk({ tool_calls: [delta] })];
      }
      case "end": {
        const out = [this.chunk({}, toFinishReason(ev.value.finishReason, this.calledTools))];
        if (this.options.includeUsage) out.push({ ...this.base(), choices: [], usage: toUsage(ev.value.usage) });
        return out;
      }
      default:
        return [];
    }
  }

  private base() {
    return { id: this.id || (this.id = completionId()), object: "chat.completion.chunk" as const, created: this.created, model: this.model };
  }

  private chunk(delta: wire.ChunkDelta, finish: wire.FinishReason | null = null): wire.ChatCompletionChunk {
    const chunk: wire.ChatCompletionChunk = { ...this.base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (this.options.includeUsage) chunk.usage = null;
    return chunk;
  }
}

/**
 * Writes the stream, starting with `first` (already pulled, so that failures
 * before any event were answered as plain HTTP errors). Stops pulling as soon
 * as the client is gone; closing the iterator aborts the upstream.
 */
export async function writeChatStream(
  ex: Exchange,
  events: AsyncIterator<GenerateStreamResponse>,
  first: IteratorResult<GenerateStreamResponse>,
  options: StreamOptions,
): Promise<void> {
  const sse = ex.openSse();
  const builder = new ChunkBuilder(options);
  let finished = false;
  try {
    for (let next = first; !next.done; next = await events.next()) {
      for (const chunk of builder.chunks(next.value)) {
        if (!(await sse.send(JSON.stringify(chunk)))) return;
      }
    }
    finished = true;
    await sse.send("[DONE]");
  } catch (err) {
    // A client that left shows up here as a cancelled call: there is no one left to tell.
    if (!sse.closed) await sse.send(JSON.stringify(ex.render(err).body));
  } finally {
    if (!finished) await events.return?.(undefined).catch(() => undefined);
    sse.end();
    ex.finish();
  }
}
