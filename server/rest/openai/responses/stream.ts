// hoosh.v1 stream events as the Responses API's typed server-sent events, each with its type as
// the SSE event name and an increasing sequence_number: response.created and .in_progress, then
// per output item output_item.added / content_part.added / deltas / .done events, then
// response.completed (or .incomplete) with the whole response and usage. A failure after the first
// event is an `error` event (with the OpenAI error object, so SDKs raise it) and the end.
import type { GenerateStreamResponse } from "../../../../gen/ts/hoosh/v1/inference_pb.js";
import type { Exchange } from "../../exchange.js";
import type { SseWriter } from "../../http-io.js";
import { unixSeconds } from "../chat-response.js";
import type { ResponsesCall } from "./request.js";
import { newId, responseShell, statusOf, toResponseUsage, type OutputItem, type ResponseObject } from "./response.js";

type Event = Record<string, unknown> & { type: string };

/** Turns hoosh.v1 stream events into Responses events, keeping the snapshot the final event carries. */
class EventBuilder {
  private readonly response: ResponseObject;
  private message: { index: number; text: string } | undefined;
  private reasoning: { index: number; text: string } | undefined;
  /** tool-call index (hoosh.v1) -> output index */
  private readonly tools = new Map<number, number>();

  constructor(call: ResponsesCall) {
    this.response = { ...responseShell(call, newId("resp"), call.request.model, unixSeconds()), status: "in_progress", incomplete_details: null, output: [], usage: null };
  }

  private snapshot(): ResponseObject {
    return structuredClone(this.response);
  }

  events(ev: GenerateStreamResponse["event"]): Event[] {
    switch (ev.case) {
      case "start":
        if (ev.value.model) this.response.model = ev.value.model;
        return [
          { type: "response.created", response: this.snapshot() },
          { type: "response.in_progress", response: this.snapshot() },
        ];
      case "reasoning":
        return ev.value.text ? this.reasoningDelta(ev.value.text) : [];
      case "text":
        return ev.value.text ? this.textDelta(ev.value.text) : [];
      case "toolCall":
        return this.toolDelta(ev.value.index, ev.value.id, ev.value.name, ev.value.argumentsDelta);
      case "end": {
        const out = this.closeAll();
        Object.assign(this.response, statusOf(ev.value.finishReason), { usage: toResponseUsage(ev.value.usage) });
        out.push({ type: this.response.status === "incomplete" ? "response.incomplete" : "response.completed", response: this.snapshot() });
        return out;
      }
      default:
        return [];
    }
  }

  private add(item: OutputItem): { index: number; events: Event[] } {
    const index = this.response.output.push(item) - 1;
    return { index, events: [{ type: "response.output_item.added", output_index: index, item: structuredClone(item) }] };
  }

  private reasoningDelta(delta: string): Event[] {
    const out: Event[] = [];
    if (!this.reasoning) {
      const { index, events } = this.add({ type: "reasoning", id: newId("rs"), summary: [], content: [] });
      out.push(...events, { type: "response.content_part.added", item_id: this.itemId(index), output_index: index, content_index: 0, part: { type: "reasoning_text", text: "" } });
      this.reasoning = { index, text: "" };
    }
    this.reasoning.text += delta;
    return [...out, { type: "response.reasoning_text.delta", item_id: this.itemId(this.reasoning.index), output_index: this.reasoning.index, content_index: 0, delta }];
  }

  private textDelta(delta: string): Event[] {
    const out: Event[] = [];
    if (!this.message) {
      const { index, events } = this.add({ type: "message", id: newId("msg"), status: "in_progress", role: "assistant", content: [] });
      const part = { type: "output_text", text: "", annotations: [], logprobs: [] };
      out.push(...events, { type: "response.content_part.added", item_id: this.itemId(index), output_index: index, content_index: 0, part });
      this.message = { index, text: "" };
    }
    this.message.text += delta;
    return [...out, { type: "response.output_text.delta", item_id: this.itemId(this.message.index), output_index: this.message.index, content_index: 0, delta, logprobs: [] }];
  }

  private toolDelta(toolIndex: number, callId: string, name: string, delta: string): Event[] {
    const out: Event[] = [];
    let index = this.tools.get(toolIndex);
    if (index === undefined) {
      const added = this.add({ type: "function_call", id: newId("fc"), call_id: callId || newId("call"), name, arguments: "", status: "in_progress" });
      index = added.index;
      this.tools.set(toolIndex, index);
      out.push(...added.events);
    }
    const item = this.response.output[index] as Extract<OutputItem, { type: "function_call" }>;
    if (name && !item.name) item.name = name;
    if (!delta) return out;
    item.arguments += delta;
    return [...out, { type: "response.function_call_arguments.delta", item_id: item.id, output_index: index, delta }];
  }

  private itemId(index: number): string {
    return this.response.output[index]!.id;
  }

  /** The .done events of every open item, in output order, and their final state in the snapshot. */
  private closeAll(): Event[] {
    const out: Event[] = [];
    this.response.output.forEach((item, index) => {
      const base = { item_id: item.id, output_index: index };
      if (item.type === "reasoning") {
        const part = { type: "reasoning_text" as const, text: this.reasoning?.text ?? "" };
        item.content = [part];
        out.push({ type: "response.reasoning_text.done", ...base, content_index: 0, text: part.text }, { type: "response.content_part.done", ...base, content_index: 0, part });
      } else if (item.type === "message") {
        const part = { type: "output_text" as const, text: this.message?.text ?? "", annotations: [] as never[], logprobs: [] };
        item.content = [part];
        item.status = "completed";
        out.push({ type: "response.output_text.done", ...base, content_index: 0, text: part.text, logprobs: [] }, { type: "response.content_part.done", ...base, content_index: 0, part });
      } else {
        item.status = "completed";
        out.push({ type: "response.function_call_arguments.done", ...base, name: item.name, arguments: item.arguments });
      }
      out.push({ type: "response.output_item.done", output_index: index, item: structuredClone(item) });
    });
    return out;
  }
}

/**
 * Writes the stream, starting with `first` (already pulled, so failures before any event were
 * answered as plain HTTP errors). Stops pulling once the client is gone; closing the iterator
 * aborts the upstream.
 */
export async function writeResponsesStream(ex: Exchange, call: ResponsesCall, events: AsyncIterator<GenerateStreamResponse>, first: IteratorResult<GenerateStreamResponse>): Promise<void> {
  const sse = ex.openSse();
  const builder = new EventBuilder(call);
  let seq = 0;
  const send = (e: Event) => sendEvent(sse, { ...e, sequence_number: seq++ });
  let finished = false;
  try {
    for (let next = first; !next.done; next = await events.next()) {
      for (const e of builder.events(next.value.event)) if (!(await send(e))) return;
    }
    finished = true;
  } catch (err) {
    // A client that left shows up here as a cancelled call: there is no one left to tell.
    if (!sse.closed) {
      const { error } = ex.render(err).body as { error: { message: string; code: string | null; param: string | null } };
      await send({ type: "error", code: error.code, message: error.message, param: error.param, error });
    }
  } finally {
    if (!finished) await events.return?.(undefined).catch(() => undefined);
    sse.end();
    ex.finish();
  }
}

function sendEvent(sse: SseWriter, e: Event & { sequence_number: number }): Promise<boolean> {
  return sse.send(JSON.stringify(e), e.type);
}
