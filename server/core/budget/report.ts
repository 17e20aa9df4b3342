/**
 * Usage reports: usage records summed per group (pool, model, provider, key,
 * team or UTC day) plus a total over all of them. Every record is one request
 * in exactly one group, so the rows of any grouping sum to the same total
 * (per key == per team == total).
 */
import type { UsageRecord } from "../../store/budget-store.js";
import { utcDay } from "./period.js";

export type UsageGroupKey = "pool" | "model" | "provider" | "key" | "team" | "day";

export interface UsageRow {
  group: string;
  requests: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  audioTokens: number;
  costUsdMicros: number;
  cacheHits: number;
}

export interface UsageReport {
  /** Sorted by group (so days run in calendar order). */
  rows: UsageRow[];
  /** Sum of every row; its group is "". */
  total: UsageRow;
}

/** Shown for records that do not know the grouped value (no model, no key). */
export const UNKNOWN_GROUP = "(unknown)";

function groupOf(r: UsageRecord, by: UsageGroupKey): string {
  switch (by) {
    case "pool":
      return r.pool;
    case "model":
      return r.model || UNKNOWN_GROUP;
    case "provider":
      return r.provider || UNKNOWN_GROUP;
    case "key":
      return r.key || UNKNOWN_GROUP;
    case "team":
      return r.team || UNKNOWN_GROUP;
    case "day":
      return utcDay(r.time);
  }
}

function emptyRow(group: string): UsageRow {
  return {
    group,
    requests: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    audioTokens: 0,
    costUsdMicros: 0,
    cacheHits: 0,
  };
}

/** One record as a row of one request. */
function rowOf(r: UsageRecord, group: string): UsageRow {
  return {
    group,
    requests: 1,
    inputTokens: r.inputTokens,
    cachedInputTokens: r.cachedInputTokens,
    outputTokens: r.outputTokens,
    reasoningTokens: r.reasoningTokens,
    audioTokens: r.audioTokens,
    costUsdMicros: r.costUsdMicros,
    cacheHits: r.cacheHit ? 1 : 0,
  };
}

function addRow(into: UsageRow, r: UsageRow): void {
  into.requests += r.requests;
  into.inputTokens += r.inputTokens;
  into.cachedInputTokens += r.cachedInputTokens;
  into.outputTokens += r.outputTokens;
  into.reasoningTokens += r.reasoningTokens;
  into.audioTokens += r.audioTokens;
  into.costUsdMicros += r.costUsdMicros;
  into.cacheHits += r.cacheHits;
}

/** Rows summed per group (sorted by group, so days run in calendar order) and in total. */
export function sumRows(rows: Iterable<UsageRow>): UsageReport {
  const groups = new Map<string, UsageRow>();
  const total = emptyRow("");
  for (const r of rows) {
    let row = groups.get(r.group);
    if (!row) groups.set(r.group, (row = emptyRow(r.group)));
    addRow(row, r);
    addRow(total, r);
  }
  const sorted = [...groups.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  return { rows: sorted, total };
}

export function summarizeUsage(records: readonly UsageRecord[], by: UsageGroupKey): UsageReport {
  return sumRows(records.map((r) => rowOf(r, groupOf(r, by))));
}

/** Several reports (e.g. one per pool a key may see) as one: rows of the same group summed. */
export function mergeReports(reports: readonly UsageReport[]): UsageReport {
  return sumRows(reports.flatMap((r) => r.rows));
}
