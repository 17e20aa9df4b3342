// hoosh.v1 stream events to Anthropic's SSE events: message_start, then per
// content block content_block_start / _delta / _stop, then message_delta and
// message_stop. Pure: the handler writes what this returns.
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { toStopReason, toUsage } from "../../providers/anthropic/enums.js";
import { anthropicId } from "./response.js";
import type { StreamEvent } from "../../providers/anthropic/wire.js";

interface Open {
  index: number;
  kind: "text" | "tool" | "thinking";
}

export class StreamTranslator {
  private started = false;
  private open: Open | undefined;
  private nextIndex = 0;
  /** Tool-call index (hoosh) → content block index (Anthropic). */
  private readonly toolBlocks = new Map<number, number>();

  constructor(private readonly requestedModel: string) {}

  /** The events that one core event becomes (possibly none). */
  translate(event: GenerateStreamResponse["event"]): StreamEvent[] {
    const out: StreamEvent[] = [];
    switch (event.case) {
      case "start":
        this.start(out, event.value.model);
        break;
      case "text":
        if (event.value.text === "") break;
        this.start(out);
        if (this.open?.kind !== "text") this.openBlock(out, { type: "text", text: "" }, (index) => ({ index, kind: "text" }));
        out.push({ type: "content_block_delta", index: this.open!.index, delta: { type: "text_delta", text: event.value.text } });
        break;
      case "toolCall": {
        const d = event.value;
        this.start(out);
        let index = this.toolBlocks.get(d.index);
        if (index === undefined) {
          this.openBlock(out, { type: "tool_use", id: d.id || anthropicId("toolu"), name: d.name, input: {} }, (i) => ({ index: i, kind: "tool" }));
          index = this.open!.index;
          this.toolBlocks.set(d.index, index);
        }
        // A delta for an earlier, already closed call (interleaved upstream) still goes to its own block.
        if (d.argumentsDelta !== "") out.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: d.argumentsDelta } });
        break;
      }
      case "end": {
        this.start(out);
        this.closeBlock(out);
        const u = toUsage(event.value.usage);
        out.push({
          type: "message_delta",
          delta: { stop_reason: toStopReason(event.value.finishReason, this.toolBlocks.size > 0), stop_sequence: null },
          usage: u,
        });
        out.push({ type: "message_stop" });
        break;
      }
      case "reasoning":
        this.reasoning(out, event.value);
        break;
      default:
        break;
    }
    return out;
  }

  /**
   * Reasoning as thinking blocks: text as thinking_delta, the provider's signature as
   * signature_delta (which ends the block), encrypted reasoning as a redacted_thinking block.
   */
  private reasoning(out: StreamEvent[], r: { text: string; signature: string; redacted: string }): void {
    this.start(out);
    if (r.redacted) {
      this.openBlock(out, { type: "redacted_thinking", data: r.redacted }, (index) => ({ index, kind: "thinking" }));
      this.closeBlock(out);
      return;
    }
    if ((r.text || r.signature) && this.open?.kind !== "thinking") {
      this.openBlock(out, { type: "thinking", thinking: "", signature: "" }, (index) => ({ index, kind: "thinking" }));
    }
    if (r.text) out.push({ type: "content_block_delta", index: this.open!.index, delta: { type: "thinking_delta", thinking: r.text } });
    if (r.signature) {
      out.push({ type: "content_block_delta", index: this.open!.index, delta: { type: "signature_delta", signature: r.signature } });
      this.closeBlock(out);
    }
  }

  private start(out: StreamEvent[], model = ""): void {
    if (this.started) return;
    this.started = true;
    out.push({
      type: "message_start",
      message: {
        id: anthropicId("msg"),
        type: "message",
        role: "assistant",
        model: model || this.requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Upstreams report usage at the end: the totals arrive in message_delta.
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    out.push({ type: "ping" });
  }

  private openBlock(out: StreamEvent[], block: Extract<StreamEvent, { type: "content_block_start" }>["content_block"], open: (index: number) => Open): void {
    this.closeBlock(out);
    this.open = open(this.nextIndex++);
    out.push({ type: "content_block_start", index: this.open.index, content_block: block });
  }

  private closeBlock(out: StreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: "content_block_stop", index: this.open.index });
    this.open = undefined;
  }
}
