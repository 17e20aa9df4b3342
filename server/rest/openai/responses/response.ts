// hoosh.v1 answers as the Responses API's `response` object: output items (reasoning, message
// with output_text, function_call), status (incomplete when max_output_tokens cut it), usage with
// cached and reasoning tokens, and the request's settings echoed as OpenAI does.
import { randomBytes } from "node:crypto";
import { FinishReason, type Usage } from "../../../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateResponse } from "../../../../gen/ts/hoosh/v1/inference_pb.js";
import { toEffort } from "../../../providers/openai/enums.js";
import { unixSeconds } from "../chat-response.js";
import type { ResponsesCall } from "./request.js";

export const newId = (prefix: string): string => `${prefix}_${randomBytes(24).toString("hex")}`;

export interface OutputText { type: "output_text"; text: string; annotations: never[]; logprobs: unknown[] }
export type OutputItem =
  | { type: "message"; id: string; status: string; role: "assistant"; content: OutputText[] }
  | { type: "function_call"; id: string; call_id: string; name: string; arguments: string; status: string }
  | { type: "reasoning"; id: string; summary: never[]; content: { type: "reasoning_text"; text: string }[]; encrypted_content?: string | null; status?: string };

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function toResponseUsage(u: Usage | undefined): ResponseUsage {
  const input = u?.inputTokens ?? 0;
  const output = u?.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u?.cachedInputTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u?.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

/** Everything of a response object but its output, status and usage (shared by JSON and every stream event). */
export function responseShell(call: ResponsesCall, id: string, model: string, createdAt: number) {
  const b = call.body;
  return {
    id,
    object: "response" as const,
    created_at: createdAt,
    model,
    instructions: b.instructions ?? null,
    tools: (b.tools ?? []).map((t) => ({ type: "function", name: t.name, description: t.description ?? null, parameters: t.parameters ?? null, strict: t.strict ?? false })),
    tool_choice: b.tool_choice ?? "auto",
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    temperature: b.temperature ?? null,
    top_p: b.top_p ?? null,
    top_logprobs: b.top_logprobs ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    previous_response_id: null,
    reasoning: { effort: b.reasoning?.effort ?? (call.request.reasoning ? (toEffort(call.request.reasoning.effort) ?? null) : null), summary: null },
    text: { format: b.text?.format ?? { type: "text" } },
    truncation: "disabled",
    store: false,
    service_tier: b.service_tier ?? null,
    metadata: b.metadata ?? {},
    user: b.user ?? null,
    error: null,
  };
}

export type ResponseObject = ReturnType<typeof responseShell> & {
  status: "in_progress" | "completed" | "incomplete" | "failed";
  incomplete_details: { reason: string } | null;
  output: OutputItem[];
  usage: ResponseUsage | null;
};

/** Status and incomplete_details from the finish reason. */
export function statusOf(reason: FinishReason): Pick<ResponseObject, "status" | "incomplete_details"> {
  if (reason === FinishReason.LENGTH) return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (reason === FinishReason.CONTENT_FILTER) return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

export function responseJson(call: ResponsesCall, res: GenerateResponse): ResponseObject {
  const output: OutputItem[] = [];
  const parts = res.message?.content ?? [];
  const reasoning = parts.flatMap((p) => (p.part.case === "reasoning" ? [p.part.value] : []));
  if (reasoning.length > 0) {
    output.push({ type: "reasoning", id: newId("rs"), summary: [], content: reasoning.filter((r) => r.text).map((r) => ({ type: "reasoning_text", text: r.text })) });
  }
  const text = parts.flatMap((p) => (p.part.case === "text" ? [p.part.value] : [])).join("");
  if (text !== "" || (res.message?.toolCalls.length ?? 0) === 0) {
    output.push({ type: "message", id: newId("msg"), status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [], logprobs: [] }] });
  }
  for (const c of res.message?.toolCalls ?? []) {
    output.push({ type: "function_call", id: newId("fc"), call_id: c.id, name: c.name, arguments: c.arguments, status: "completed" });
  }
  return {
    ...responseShell(call, newId("resp"), res.model || call.request.model, unixSeconds()),
    ...statusOf(res.finishReason),
    output,
    usage: toResponseUsage(res.usage),
  };
}
