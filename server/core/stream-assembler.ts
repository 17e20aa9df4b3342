// Builds the whole assistant message from stream deltas, for StreamEnd.message
// (and the cache and usage counting): the reasoning blocks first (each closed by
// its signature, or one redacted block), then the text, then the tool calls.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { MessageSchema, Role, type ContentPartSchema, type Message, type ToolCall } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";

type PartInit = MessageInitShape<typeof ContentPartSchema>;

interface Reasoning {
  text: string;
  signature: string;
  redacted: string;
}

export class StreamAssembler {
  private text = "";
  private readonly reasoning: Reasoning[] = [];
  private open: Reasoning | undefined;
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();

  add(event: GenerateStreamResponse["event"]): void {
    if (event.case === "text") this.text += event.value.text;
    else if (event.case === "reasoning") this.addReasoning(event.value);
    else if (event.case === "toolCall") {
      const d = event.value;
      const call = this.calls.get(d.index) ?? { id: "", name: "", arguments: "" };
      call.id ||= d.id;
      call.name ||= d.name;
      call.arguments += d.argumentsDelta;
      this.calls.set(d.index, call);
    }
  }

  private addReasoning(d: { text: string; signature: string; redacted: string }): void {
    if (d.redacted) {
      this.reasoning.push({ text: "", signature: "", redacted: d.redacted });
      this.open = undefined;
      return;
    }
    if (!this.open) {
      this.open = { text: "", signature: "", redacted: "" };
      this.reasoning.push(this.open);
    }
    this.open.text += d.text;
    if (d.signature) {
      this.open.signature = d.signature;
      this.open = undefined; // a signature ends its block
    }
  }

  message(): Message {
    const toolCalls: Omit<ToolCall, "$typeName">[] = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
    const content: PartInit[] = this.reasoning.map((r) => ({ part: { case: "reasoning", value: r } }));
    if (this.text) content.push({ part: { case: "text", value: this.text } });
    return create(MessageSchema, { role: Role.ASSISTANT, content, toolCalls });
  }
}
