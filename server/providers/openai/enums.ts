// OpenAI names <-> hoosh.v1 enums and usage, both directions beside each other: the provider reads
// upstream answers with the from* maps and writes requests with the to* ones; the OpenAI REST edges
// (chat completions, Responses) read client requests with the from* maps and write answers with
// the to* ones.
import { FinishReason, ImageDetail, ReasoningEffort, Role, type TokenLogprob, type Usage } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { count, upstreamUsage } from "../counts.js";
import type * as wire from "./wire.js";

// Maps, not objects: strings from upstreams or clients such as "constructor" must not hit prototype keys.
const ROLES = new Map<string, Role>([
  ["system", Role.SYSTEM],
  ["developer", Role.SYSTEM],
  ["user", Role.USER],
  ["assistant", Role.ASSISTANT],
  ["tool", Role.TOOL],
]);
export const ROLE_NAMES = [...ROLES.keys()] as const;

export function fromRole(name: string): Role | undefined {
  return ROLES.get(name);
}

const ROLE_OUT: Record<Role, Exclude<wire.Role, "developer">> = {
  [Role.UNSPECIFIED]: "user",
  [Role.SYSTEM]: "system",
  [Role.USER]: "user",
  [Role.ASSISTANT]: "assistant",
  [Role.TOOL]: "tool",
};

/** The wire name of a role (validation has already rejected ROLE_UNSPECIFIED). */
export function toRole(role: Role): Exclude<wire.Role, "developer"> {
  return ROLE_OUT[role] ?? "user";
}

const FINISH_IN = new Map<string, FinishReason>([
  ["stop", FinishReason.STOP],
  ["length", FinishReason.LENGTH],
  ["tool_calls", FinishReason.TOOL_CALLS],
  ["function_call", FinishReason.TOOL_CALLS],
  ["content_filter", FinishReason.CONTENT_FILTER],
]);

export function fromFinishReason(reason: string | null | undefined): FinishReason {
  return (reason && FINISH_IN.get(reason)) || FinishReason.UNSPECIFIED;
}

const FINISH_OUT: Record<FinishReason, wire.FinishReason | undefined> = {
  [FinishReason.UNSPECIFIED]: undefined,
  [FinishReason.STOP]: "stop",
  [FinishReason.LENGTH]: "length",
  [FinishReason.TOOL_CALLS]: "tool_calls",
  [FinishReason.CONTENT_FILTER]: "content_filter",
};

/** OpenAI always names a reason; an unspecified one is "tool_calls" when the model called tools, else "stop". */
export function toFinishReason(reason: FinishReason, calledTools: boolean): wire.FinishReason {
  return FINISH_OUT[reason] ?? (calledTools ? "tool_calls" : "stop");
}

export const DETAIL_NAMES = ["auto", "low", "high"] as const;
const DETAIL_IN: Record<(typeof DETAIL_NAMES)[number], ImageDetail> = { auto: ImageDetail.AUTO, low: ImageDetail.LOW, high: ImageDetail.HIGH };

export function fromDetail(name: (typeof DETAIL_NAMES)[number] | undefined): ImageDetail {
  return name === undefined ? ImageDetail.UNSPECIFIED : DETAIL_IN[name];
}

const DETAIL_OUT: Record<ImageDetail, wire.ImageDetail | undefined> = {
  [ImageDetail.UNSPECIFIED]: undefined,
  [ImageDetail.LOW]: "low",
  [ImageDetail.HIGH]: "high",
  [ImageDetail.AUTO]: "auto",
};

export function toDetail(detail: ImageDetail): wire.ImageDetail | undefined {
  return DETAIL_OUT[detail];
}

export const EFFORT_NAMES = ["none", "minimal", "low", "medium", "high"] as const;
const EFFORT_IN: Record<wire.ReasoningEffort, ReasoningEffort> = {
  none: ReasoningEffort.NONE,
  minimal: ReasoningEffort.MINIMAL,
  low: ReasoningEffort.LOW,
  medium: ReasoningEffort.MEDIUM,
  high: ReasoningEffort.HIGH,
};

export function fromEffort(name: wire.ReasoningEffort | undefined): ReasoningEffort {
  return name === undefined ? ReasoningEffort.UNSPECIFIED : EFFORT_IN[name];
}

const EFFORT_OUT: Record<ReasoningEffort, wire.ReasoningEffort | undefined> = {
  [ReasoningEffort.UNSPECIFIED]: undefined,
  [ReasoningEffort.NONE]: "none",
  [ReasoningEffort.MINIMAL]: "minimal",
  [ReasoningEffort.LOW]: "low",
  [ReasoningEffort.MEDIUM]: "medium",
  [ReasoningEffort.HIGH]: "high",
};

export function toEffort(effort: ReasoningEffort): wire.ReasoningEffort | undefined {
  return EFFORT_OUT[effort];
}

/** An upstream's usage as hoosh.v1 Usage (cached ⊆ input, reasoning ⊆ output). */
export function fromUsage(u: wire.Loose<wire.CompletionUsage> | null | undefined): Usage {
  return upstreamUsage({
    inputTokens: u?.prompt_tokens ?? 0,
    cachedInputTokens: u?.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens: u?.completion_tokens ?? 0,
    reasoningTokens: u?.completion_tokens_details?.reasoning_tokens ?? 0,
    audioTokens: count(u?.prompt_tokens_details?.audio_tokens) + count(u?.completion_tokens_details?.audio_tokens),
  });
}

/** hoosh.v1 Usage as OpenAI reports it to a client. */
export function toUsage(u: Usage | undefined): wire.CompletionUsage {
  const prompt = u?.inputTokens ?? 0;
  const completion = u?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u?.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u?.reasoningTokens ?? 0 },
  };
}

type LogprobInit = { token: string; logprob: number; bytes: Uint8Array; topLogprobs: { token: string; logprob: number; bytes: Uint8Array }[] };

const bytesOf = (b: readonly unknown[] | null | undefined): Uint8Array => Uint8Array.from((b ?? []).filter((x): x is number => typeof x === "number"));

/** An upstream's per-token logprobs as hoosh.v1 TokenLogprob inits. */
export function fromLogprobs(content: wire.Loose<wire.TokenLogprob>[] | null | undefined): LogprobInit[] {
  return (content ?? []).map((t) => ({
    token: t?.token ?? "",
    logprob: typeof t?.logprob === "number" ? t.logprob : 0,
    bytes: bytesOf(t?.bytes),
    topLogprobs: (t?.top_logprobs ?? []).map((a) => ({ token: a?.token ?? "", logprob: typeof a?.logprob === "number" ? a.logprob : 0, bytes: bytesOf(a?.bytes) })),
  }));
}

/** hoosh.v1 TokenLogprobs as OpenAI's logprobs.content. */
export function toLogprobs(logprobs: readonly TokenLogprob[]): wire.TokenLogprob[] {
  const bytes = (b: Uint8Array) => (b.length > 0 ? [...b] : null);
  return logprobs.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    bytes: bytes(t.bytes),
    top_logprobs: t.topLogprobs.map((a) => ({ token: a.token, logprob: a.logprob, bytes: bytes(a.bytes) })),
  }));
}
