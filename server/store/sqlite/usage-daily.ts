/**
 * Daily sums of the usage table (migration 6: usage_daily), kept in the same transaction as each
 * usage record, one row per UTC day and (pool, key, team, model, provider). A usage report reads
 * the whole days of its range from here and only its partial first and last days from the records,
 * so a 30-day report sums (days x combinations used) rows instead of every request.
 */
import type { Database, Statement } from "better-sqlite3";
import type { UsageQuery } from "../budget-store.js";
import type { UsageRow } from "./rows.js";

export const DAY_MS = 86_400_000;

const SUMS = ["input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens", "audio_tokens", "cost_usd_micros"] as const;

/** The migration's SQL: the table, and the sums of the records already there. */
export const USAGE_DAILY_MIGRATION = `
  CREATE TABLE usage_daily (
    day INTEGER NOT NULL, pool TEXT NOT NULL, key TEXT NOT NULL, team TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL,
    requests INTEGER NOT NULL, ${SUMS.map((c) => `${c} INTEGER NOT NULL`).join(", ")}, cache_hits INTEGER NOT NULL,
    PRIMARY KEY (day, pool, key, team, model, provider)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO usage_daily
    SELECT (time / ${DAY_MS}) * ${DAY_MS}, pool, coalesce(key, ''), coalesce(team, ''), coalesce(model, ''), provider,
      count(*), ${SUMS.map((c) => `sum(${c})`).join(", ")}, sum(cache_hit)
    FROM usage GROUP BY 1, 2, 3, 4, 5, 6;
`;

export class UsageDaily {
  readonly #add: Statement<[Record<string, number | string | null>]>;

  constructor(db: Database) {
    this.#add = db.prepare(
      `INSERT INTO usage_daily (day, pool, key, team, model, provider, requests, ${SUMS.join(", ")}, cache_hits)
       VALUES (CAST(@time / ${DAY_MS} AS INTEGER) * ${DAY_MS}, @pool, coalesce(@key, ''), coalesce(@team, ''), coalesce(@model, ''), @provider,
         1, ${SUMS.map((c) => `@${c}`).join(", ")}, @cache_hit)
       ON CONFLICT (day, pool, key, team, model, provider) DO UPDATE SET requests = requests + 1,
         ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}, cache_hits = cache_hits + excluded.cache_hits`,
    );
  }

  /** Adds one usage record to its day's sums (call in the transaction that inserts the record). */
  add(r: UsageRow): void {
    this.#add.run({
      time: r.time,
      pool: r.pool,
      key: r.key,
      team: r.team,
      model: r.model,
      provider: r.provider,
      cache_hit: r.cache_hit,
      input_tokens: r.input_tokens,
      cached_input_tokens: r.cached_input_tokens,
      output_tokens: r.output_tokens,
      reasoning_tokens: r.reasoning_tokens,
      audio_tokens: r.audio_tokens,
      cost_usd_micros: r.cost_usd_micros,
    });
  }
}

/** Where a report's range is read from: whole UTC days from the daily sums, the rest from the records. */
export interface ReportPart {
  readonly from: "usage" | "usage_daily";
  readonly start?: number | undefined;
  readonly end?: number | undefined;
}

export function reportParts(q: Pick<UsageQuery, "start" | "end">): ReportPart[] {
  const firstDay = q.start === undefined ? undefined : Math.ceil(q.start / DAY_MS) * DAY_MS;
  const endDay = q.end === undefined ? undefined : Math.floor(q.end / DAY_MS) * DAY_MS;
  if (firstDay !== undefined && endDay !== undefined && firstDay >= endDay) return [{ from: "usage", start: q.start, end: q.end }];
  const parts: ReportPart[] = [{ from: "usage_daily", start: firstDay, end: endDay }];
  if (q.start !== undefined && q.start < firstDay!) parts.push({ from: "usage", start: q.start, end: firstDay });
  if (q.end !== undefined && endDay! < q.end) parts.push({ from: "usage", start: endDay, end: q.end });
  return parts;
}
