// `hoosh usage [--by key|team|model|provider|pool|day] [--since WHEN] [--key ID] [--team T]`:
// GetUsageReport of a running hoosh, one group a line and the total last. A key without a budgets
// scope sees its own usage only (the server restricts it).
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BudgetService, UsageGroupBy, type UsageReportRow } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { parse, UsageError } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

const GROUPS: Record<string, UsageGroupBy> = {
  pool: UsageGroupBy.POOL,
  model: UsageGroupBy.MODEL,
  provider: UsageGroupBy.PROVIDER,
  key: UsageGroupBy.KEY,
  team: UsageGroupBy.TEAM,
  day: UsageGroupBy.DAY,
};

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30d", "12h", "15m" (that long ago) or an ISO date/time; UsageError naming --since otherwise. */
export function since(value: string, now: number): number {
  const rel = /^(\d+)([mhd])$/.exec(value);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw new UsageError(`--since: ${JSON.stringify(value)} is neither a duration like 30d, 12h, 15m nor an ISO date like 2026-01-31`);
  return at;
}

const usd = (micros: bigint) => `$${(Number(micros) / 1e6).toFixed(6)}`;
const line = (r: UsageReportRow) =>
  `${r.group}\trequests=${r.requests}\tinput=${r.inputTokens}\tcached=${r.cachedInputTokens}\toutput=${r.outputTokens}\treasoning=${r.reasoningTokens}\tcost=${usd(r.costUsdMicros)}\tcache_hits=${r.cacheHits}`;

export async function usage(args: string[]): Promise<void> {
  const { values } = parse(args, { ...CLIENT_OPTIONS, by: { type: "string" }, since: { type: "string" }, key: { type: "string" }, team: { type: "string" } }, []);
  const groupBy = GROUPS[values.by ?? "key"];
  if (groupBy === undefined) throw new UsageError(`--by: ${JSON.stringify(values.by)} is not one of: ${Object.keys(GROUPS).join(", ")}`);
  const start = values.since === undefined ? undefined : since(values.since, Date.now());
  const res = await clientFor(BudgetService, values).getUsageReport({
    groupBy,
    startTime: start === undefined ? undefined : timestampFromMs(start),
    keyId: values.key ?? "",
    team: values.team ?? "",
  });
  for (const row of res.rows) process.stdout.write(`${line(row)}\n`);
  if (res.total) process.stdout.write(`${line({ ...res.total, group: "total" })}\n`);
}
