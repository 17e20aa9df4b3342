// Builds the whole assistant message from stream deltas, for StreamEnd.message
// (and, later, for the cache and usage counting).
import { create } from "@bufbuild/protobuf";
import { MessageSchema, Role, type Message, type ToolCall } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";

export class StreamAssembler {
  private text = "";
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();

  add(event: GenerateStreamResponse["event"]): void {
    if (event.case === "text") this.text += event.value.text;
    if (event.case === "toolCall") {
      const d = event.value;
      const call = this.calls.get(d.index) ?? { id: "", name: "", arguments: "" };
      call.id ||= d.id;
      call.name ||= d.name;
      call.arguments += d.argumentsDelta;
      this.calls.set(d.index, call);
    }
  }

  message(): Message {
    const toolCalls: Omit<ToolCall, "$typeName">[] = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
    return create(MessageSchema, {
      role: Role.ASSISTANT,
      content: this.text ? [{ part: { case: "text", value: this.text } }] : [],
      toolCalls,
    });
  }
}
