// The request log's record of one inference request (core/requests/record.ts), from what the
// measuring decorator (instrumented-inference.ts) saw: the call, its usage, its outcome. Prompts
// and answers are only added when [log] payloads is on, redacted.
import type { Message, Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { RequestRecord } from "../core/requests/record.js";
import type { RequestSink } from "../core/requests/log.js";
import type { CallContext } from "../providers/provider.js";

const MAX_ERROR = 512;

export interface Outcome {
  readonly startedAt: number;
  readonly edge: string;
  readonly operation: string;
  readonly model: string;
  readonly call: CallContext;
  readonly status: string;
  readonly usage: Usage | undefined;
  readonly latencyMs: number;
  readonly ttftMs: number | undefined;
  readonly stream: boolean;
  readonly error?: string | undefined;
  readonly prompt: () => string[];
  readonly answer?: string | undefined;
}

export function requestRecord(o: Outcome, sink: RequestSink): RequestRecord {
  const u = o.usage;
  const record: RequestRecord = {
    time: o.startedAt,
    requestId: o.call.requestId,
    keyId: o.call.key?.id,
    team: o.call.key?.team,
    edge: o.edge,
    operation: o.operation,
    model: o.model.slice(0, 256),
    servedModel: u?.model || undefined,
    provider: o.call.stats?.provider || undefined,
    attempts: o.call.stats?.attempts ?? 0,
    status: o.status,
    inputTokens: u?.inputTokens ?? 0,
    cachedInputTokens: u?.cachedInputTokens ?? 0,
    outputTokens: u?.outputTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
    costUsdMicros: Number(u?.costUsdMicros ?? 0),
    latencyMs: Math.round(o.latencyMs * 10) / 10,
    ttftMs: o.ttftMs === undefined ? undefined : Math.round(o.ttftMs * 10) / 10,
    cacheHit: u?.cacheHit ?? o.call.stats?.cacheHit ?? false,
    budgetPool: u?.budgetPool || undefined,
    error: o.error?.slice(0, MAX_ERROR),
    stream: o.stream,
  };
  const redactor = sink.payloads;
  if (!redactor) return record;
  return { ...record, prompt: redactor.redact(o.prompt().join("\n")), answer: o.answer === undefined ? undefined : redactor.redact(o.answer) };
}

/** An answer's text (and tool calls), for payload logging. */
export function answerText(message: Message | undefined): string | undefined {
  if (!message) return undefined;
  let text = "";
  for (const part of message.content) if (part.part.case === "text") text += part.part.value;
  for (const call of message.toolCalls) text += `${call.name}(${call.arguments})`;
  return text;
}
