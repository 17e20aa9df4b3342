// Builders shared by the anthropic adapter tests.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateRequest, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { CallContext } from "../../server/providers/provider.js";

export { caught, caughtSync, expectError } from "../unit/helpers.js";

/** The plain-object form of a GenerateRequest init (not a message instance). */
export type RequestInit = Exclude<MessageInitShape<typeof GenerateRequestSchema>, GenerateRequest>;

export const text = (value: string) => ({ part: { case: "text" as const, value } });
export const user = (value: string) => ({ role: Role.USER, content: [text(value)] });
export const assistant = (value: string) => ({ role: Role.ASSISTANT, content: [text(value)] });
export const system = (value: string) => ({ role: Role.SYSTEM, content: [text(value)] });
export const toolResult = (id: string, value: string) => ({ role: Role.TOOL, toolCallId: id, content: [text(value)] });

export const WEATHER_TOOL = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
export const TIME_TOOL = { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } };

export function request(init: Partial<RequestInit> = {}): GenerateRequest {
  return create(GenerateRequestSchema, { model: "claude-sonnet-4-20250514", messages: [user("hello world")], ...init });
}

export function chat(model: string, prompt = "hello world", extra: Partial<RequestInit> = {}): GenerateRequest {
  return create(GenerateRequestSchema, { model, messages: [user(prompt)], ...extra });
}

export const call = (extra: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, requestId: "req-anthropic-1", ...extra });

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

export const cases = (events: GenerateStreamResponse[]) => events.map((e) => e.event.case);

/** Text, tool-call arguments by index and the end event of a stream. */
export function summarize(events: GenerateStreamResponse[]) {
  let textOut = "";
  let reasoning = "";
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  let end: Extract<GenerateStreamResponse["event"], { case: "end" }>["value"] | undefined;
  for (const { event } of events) {
    if (event.case === "text") textOut += event.value.text;
    if (event.case === "reasoning") reasoning += event.value.text;
    if (event.case === "toolCall") {
      const c = calls.get(event.value.index) ?? { id: "", name: "", arguments: "" };
      c.id ||= event.value.id;
      c.name ||= event.value.name;
      c.arguments += event.value.argumentsDelta;
      calls.set(event.value.index, c);
    }
    if (event.case === "end") end = event.value;
  }
  return { text: textOut, reasoning, calls, end };
}
