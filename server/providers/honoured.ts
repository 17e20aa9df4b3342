// Which optional request fields a provider honours. A field the caller set that the chosen
// provider cannot honour is never dropped silently: the provider names it (hoosh.v1 field path)
// in the call's stats, and every edge reports it (x-hoosh-ignored-params, in the edge's own names).
import type { CallContext, ChatRequest } from "./provider.js";

/** Request fields that only some providers can honour, by hoosh.v1 path. */
const SET = {
  "sampling.top_k": (r: ChatRequest) => r.sampling?.topK !== undefined,
  "sampling.seed": (r: ChatRequest) => r.sampling?.seed !== undefined,
  "sampling.presence_penalty": (r: ChatRequest) => r.sampling?.presencePenalty !== undefined,
  "sampling.frequency_penalty": (r: ChatRequest) => r.sampling?.frequencyPenalty !== undefined,
  reasoning: (r: ChatRequest) => r.reasoning !== undefined && (r.reasoning.effort !== 0 || r.reasoning.budgetTokens !== undefined),
  service_tier: (r: ChatRequest) => r.serviceTier !== "",
  logprobs: (r: ChatRequest) => r.logprobs,
  top_logprobs: (r: ChatRequest) => r.topLogprobs !== undefined,
  prediction: (r: ChatRequest) => r.prediction !== "",
  metadata: (r: ChatRequest) => Object.keys(r.metadata).some((k) => k !== "budget_pool"),
  user: (r: ChatRequest) => r.user !== "",
  parallel_tool_calls: (r: ChatRequest) => r.parallelToolCalls !== undefined,
  cache_breakpoint: (r: ChatRequest) => r.tools.some((t) => t.cacheBreakpoint) || r.messages.some((m) => m.content.some((p) => p.cacheBreakpoint)),
  "messages.name": (r: ChatRequest) => r.messages.some((m) => m.name !== ""),
} as const satisfies Record<string, (r: ChatRequest) => boolean>;

export type OptionalField = keyof typeof SET;

/** The optional fields `req` sets that are not in `honours`. */
export function unhonoured(req: ChatRequest, honours: ReadonlySet<OptionalField>): string[] {
  const out: string[] = [];
  for (const [field, isSet] of Object.entries(SET) as [OptionalField, (r: ChatRequest) => boolean][]) {
    if (!honours.has(field) && isSet(req)) out.push(field);
  }
  return out;
}

/** Records what the provider now serving the call leaves out (the core resets it per attempt). */
export function noteIgnored(call: CallContext, fields: readonly string[]): void {
  if (fields.length === 0 || !call.stats) return;
  const ignored = (call.stats.ignored ??= []);
  for (const f of fields) if (!ignored.includes(f)) ignored.push(f);
}
