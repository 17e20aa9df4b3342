// The one usage record a commit appends (ledger commits and settlements alike); the store adds the pool.
import type { CommitRecord } from "../../store/budget-store.js";
import type { CommitContext, UsageInput } from "./ledger.js";

export function usageRecord(time: number, reservationId: string, usage: UsageInput, costUsdMicros: number, context: CommitContext): CommitRecord {
  return {
    time,
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
