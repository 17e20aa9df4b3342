// ConverseStream events to hoosh.v1 stream events. Converse numbers content
// blocks in one sequence; hoosh numbers tool calls on their own, so a tool
// call's index is its position among the toolUse blocks.
import { Code, ConnectError } from "@connectrpc/connect";
import type { GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { count } from "../counts.js";
import { streamEvent as event } from "../stream-event.js";
import { guardStream } from "../stream-guard.js";
import { streamException } from "./errors.js";
import type { EventFrame } from "./eventstream.js";
import { fromStopReason, fromUsage } from "./response.js";
import type * as wire from "./wire.js";

function parse<T>(provider: string, frame: EventFrame): T {
  try {
    return JSON.parse(frame.body) as T;
  } catch {
    throw new ConnectError(`provider "${provider}" sent a ${frame.type} event that is not JSON: ${frame.body.slice(0, 120)}`, Code.Internal);
  }
}

/**
 * Yields start, text/reasoning/tool-call deltas and one end event (finish
 * reason + usage from the metadata event). A stream that ends before
 * messageStop is Unavailable; exception frames keep their mapped code.
 */
export function converseStreamEvents(provider: string, id: string, model: string, frames: AsyncIterable<EventFrame>, jsonTool?: string): AsyncGenerator<GenerateStreamResponse> {
  return guardStream(provider, events(provider, id, model, frames, jsonTool));
}

/** A toolUse block: a real call (its index among calls), or the JSON-mode tool, streamed as text. */
type ToolBlock = { index: number; args: boolean; json: boolean };

async function* events(provider: string, id: string, model: string, frames: AsyncIterable<EventFrame>, jsonTool?: string): AsyncGenerator<GenerateStreamResponse> {
  let started = false;
  let calls = 0;
  let jsonAnswered = false;
  const tools = new Map<number, ToolBlock>();
  let stopReason: string | undefined;
  let usage: wire.TokenUsage | undefined;
  for await (const frame of frames) {
    if (frame.messageType !== "event") throw streamException(provider, frame.type, frame.body);
    if (!started) {
      // Started by the first event, so an exception before any (throttling) can still fail over.
      started = true;
      yield event({ case: "start", value: { id, model } });
    }
    switch (frame.type) {
      case "contentBlockStart": {
        const ev = parse<wire.StreamEvents["contentBlockStart"]>(provider, frame);
        const use = ev.start?.toolUse;
        if (!use) break;
        if (jsonTool !== undefined && use.name === jsonTool) {
          jsonAnswered = true;
          tools.set(count(ev.contentBlockIndex), { index: -1, args: false, json: true });
          break;
        }
        const index = calls++;
        tools.set(count(ev.contentBlockIndex), { index, args: false, json: false });
        yield event({ case: "toolCall", value: { index, id: use.toolUseId ?? "", name: use.name ?? "", argumentsDelta: "" } });
        break;
      }
      case "contentBlockDelta": {
        const ev = parse<wire.StreamEvents["contentBlockDelta"]>(provider, frame);
        const d = ev.delta;
        if (d?.text) yield event({ case: "text", value: { text: d.text } });
        if (d?.reasoningContent?.text) yield event({ case: "reasoning", value: { text: d.reasoningContent.text } });
        const tool = tools.get(count(ev.contentBlockIndex));
        if (d?.toolUse?.input && tool) {
          tool.args = true;
          if (tool.json) yield event({ case: "text", value: { text: d.toolUse.input } });
          else yield event({ case: "toolCall", value: { index: tool.index, argumentsDelta: d.toolUse.input } });
        }
        break;
      }
      case "contentBlockStop": {
        // A call without arguments may stream none; its arguments are still an object.
        const tool = tools.get(count(parse<wire.StreamEvents["contentBlockStop"]>(provider, frame).contentBlockIndex));
        if (tool && !tool.args) yield tool.json ? event({ case: "text", value: { text: "{}" } }) : event({ case: "toolCall", value: { index: tool.index, argumentsDelta: "{}" } });
        break;
      }
      case "messageStop":
        stopReason = parse<wire.StreamEvents["messageStop"]>(provider, frame).stopReason ?? "end_turn";
        break;
      case "metadata":
        usage = parse<wire.StreamEvents["metadata"]>(provider, frame).usage;
        break;
      default:
        // messageStart, and event types AWS may add later.
        break;
    }
  }
  if (stopReason === undefined) throw new ConnectError(`provider "${provider}" ended the stream before messageStop`, Code.Unavailable);
  yield event({ case: "end", value: { finishReason: fromStopReason(stopReason, calls, jsonAnswered), usage: fromUsage(usage) } });
}
