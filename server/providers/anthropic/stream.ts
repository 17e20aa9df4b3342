// Anthropic Messages SSE events to hoosh.v1 stream events.
//
// Anthropic numbers content blocks (text, thinking, tool_use, ...) in one
// sequence; hoosh numbers tool calls on their own. A tool call's index is its
// position among the tool_use blocks, so text before a tool call does not
// shift it. The JSON-mode tool (tools.ts) streams as text instead.
import { guardStream } from "../stream-guard.js";
import { Code, ConnectError } from "@connectrpc/connect";
import type { EventSourceMessage } from "eventsource-parser";
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { streamEvent as event } from "../stream-event.js";
import { streamError } from "./errors.js";
import { fromStopReason, fromUsage } from "./enums.js";
import type * as wire from "./wire.js";

type Block =
  | { kind: "text" | "thinking" | "other" }
  | { kind: "tool"; index: number; args: boolean }
  | { kind: "json"; args: boolean };

function parse(provider: string, data: string): wire.StreamEvent {
  try {
    return JSON.parse(data) as wire.StreamEvent;
  } catch {
    throw new ConnectError(`provider "${provider}" sent a stream event that is not JSON: ${data.slice(0, 120)}`, Code.Internal);
  }
}

/** message_delta usage is cumulative and may restate input counts; later non-null values win. */
function mergeUsage(into: wire.Usage, from: wire.Usage | undefined): void {
  for (const [key, value] of Object.entries(from ?? {})) {
    if (typeof value === "number") into[key as keyof wire.Usage] = value;
  }
}

/**
 * Yields start, text/reasoning/tool-call deltas and one end event (finish
 * reason + usage). A stream that ends before message_stop is Unavailable: the
 * answer may be cut short.
 */
export function messagesStreamEvents(provider: string, sse: AsyncIterable<EventSourceMessage>, jsonTool?: string): AsyncGenerator<GenerateStreamResponse> {
  return guardStream(provider, events(provider, sse, jsonTool));
}

async function* events(
  provider: string,
  sse: AsyncIterable<EventSourceMessage>,
  jsonTool?: string,
): AsyncGenerator<GenerateStreamResponse> {
  let started = false;
  let done = false;
  let stopReason: string | null | undefined;
  const usage: wire.Usage = {};
  const blocks = new Map<number, Block>();
  let toolCalls = 0;
  let jsonAnswered = false;

  for await (const message of sse) {
    // Anthropic never sends an empty payload; skipping one is harmless.
    if (message.data === "") continue;
    const ev = parse(provider, message.data);
    if (ev.type === "error") throw streamError(provider, ev.error);
    if (!started && ev.type !== "ping") {
      started = true;
      const head = ev.type === "message_start" ? ev.message : {};
      yield event({ case: "start", value: { id: head.id ?? "", model: head.model ?? "" } });
    }
    switch (ev.type) {
      case "message_start":
        mergeUsage(usage, ev.message.usage);
        break;
      case "content_block_start": {
        const b = ev.content_block;
        if (b.type === "text") {
          blocks.set(ev.index, { kind: "text" });
          const text = (b as wire.TextBlock).text;
          if (text) yield event({ case: "text", value: { text } });
        } else if (b.type === "thinking") {
          blocks.set(ev.index, { kind: "thinking" });
          const text = (b as wire.ThinkingBlock).thinking;
          if (text) yield event({ case: "reasoning", value: { text } });
        } else if (b.type === "tool_use" && jsonTool !== undefined && (b as wire.ToolUseBlock).name === jsonTool) {
          blocks.set(ev.index, { kind: "json", args: false });
          jsonAnswered = true;
        } else if (b.type === "tool_use") {
          const use = b as wire.ToolUseBlock;
          const index = toolCalls++;
          blocks.set(ev.index, { kind: "tool", index, args: false });
          yield event({ case: "toolCall", value: { index, id: use.id, name: use.name, argumentsDelta: "" } });
        } else if (b.type === "redacted_thinking") {
          // Encrypted reasoning: relayed as it came, so the caller can hand it back next turn.
          blocks.set(ev.index, { kind: "other" });
          const data = (b as wire.RedactedThinkingBlock).data;
          if (data) yield event({ case: "reasoning", value: { redacted: data } });
        } else {
          // Server tools, future block types: nothing to relay.
          blocks.set(ev.index, { kind: "other" });
        }
        break;
      }
      case "content_block_delta": {
        const block = blocks.get(ev.index);
        const d = ev.delta;
        if (d.type === "text_delta" && block?.kind === "text") {
          const text = (d as { text: string }).text;
          if (text) yield event({ case: "text", value: { text } });
        } else if (d.type === "thinking_delta" && block?.kind === "thinking") {
          const text = (d as { thinking: string }).thinking;
          if (text) yield event({ case: "reasoning", value: { text } });
        } else if (d.type === "signature_delta" && block?.kind === "thinking") {
          // Ends the thinking block's text; the caller needs it to hand the block back.
          const signature = (d as { signature: string }).signature;
          if (signature) yield event({ case: "reasoning", value: { signature } });
        } else if (d.type === "input_json_delta" && (block?.kind === "tool" || block?.kind === "json")) {
          const piece = (d as { partial_json: string }).partial_json;
          if (!piece) break;
          block.args = true;
          if (block.kind === "json") yield event({ case: "text", value: { text: piece } });
          else yield event({ case: "toolCall", value: { index: block.index, argumentsDelta: piece } });
        }
        // citations_delta: not part of hoosh's message.
        break;
      }
      case "content_block_stop": {
        // A call without arguments may stream no JSON at all; its arguments are still an object.
        const block = blocks.get(ev.index);
        if (block?.kind === "tool" && !block.args) yield event({ case: "toolCall", value: { index: block.index, argumentsDelta: "{}" } });
        if (block?.kind === "json" && !block.args) yield event({ case: "text", value: { text: "{}" } });
        break;
      }
      case "message_delta":
        if (ev.delta?.stop_reason) stopReason = ev.delta.stop_reason;
        mergeUsage(usage, ev.usage);
        break;
      case "message_stop":
        done = true;
        break;
      default:
        // ping, and event types Anthropic may add later (its docs ask clients to ignore unknown ones).
        break;
    }
    if (done) break;
  }
  if (!done) throw new ConnectError(`provider "${provider}" ended the stream before message_stop`, Code.Unavailable);
  yield event({ case: "end", value: { finishReason: fromStopReason(stopReason, toolCalls, jsonAnswered), usage: fromUsage(usage) } });
}
