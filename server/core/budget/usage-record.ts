// The one usage record a commit appends (ledger commits and late charges alike).
import type { UsageRecord } from "../../store/budget-store.js";
import type { CommitContext, UsageInput } from "./ledger.js";

export function usageRecord(time: number, pool: string, reservationId: string, usage: UsageInput, costUsdMicros: number, context: CommitContext): UsageRecord {
  return {
    time,
    pool,
    reservationId,
    inputTokens: usage.inputTokens,
    cachedInputTokens: usage.cachedInputTokens,
    outputTokens: usage.outputTokens,
    reasoningTokens: usage.reasoningTokens,
    audioTokens: usage.audioTokens,
    costUsdMicros,
    provider: usage.provider,
    cacheHit: usage.cacheHit,
    model: context.model || undefined,
    key: context.key || undefined,
  };
}
