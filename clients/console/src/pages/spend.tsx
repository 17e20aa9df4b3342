// Spend from BudgetService.GetUsageReport: tokens and cost per day over the last 30 days (a chart),
// and this period's usage grouped by model, provider, key or pool (one RPC per view).
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { useEffect, useState } from "preact/hooks";
import { UsageGroupBy, type UsageReportRow } from "../../../../gen/ts/hoosh/v1/budget_pb.js";
import type { PageProps } from "../app.js";
import { Chart } from "../chart.js";
import { plainError } from "../errors.js";
import { count, usd } from "../format.js";
import { TableHead } from "../table-head.js";
import { ErrorNote } from "../error-note.js";

const DAYS = 30;
const GROUPS: [string, UsageGroupBy][] = [
  ["model", UsageGroupBy.MODEL],
  ["provider", UsageGroupBy.PROVIDER],
  ["key", UsageGroupBy.KEY],
  ["team", UsageGroupBy.TEAM],
  ["pool", UsageGroupBy.POOL],
];

const tokensOf = (r: UsageReportRow) => Number(r.inputTokens + r.outputTokens);

/** `refresh`: a counter the page bumps to read the reports again. */
export function Spend({ client, onAuthError, refresh }: PageProps & { refresh: number }) {
  const [group, setGroup] = useState("model");
  const [days, setDays] = useState<UsageReportRow[]>();
  const [rows, setRows] = useState<UsageReportRow[]>();
  const [error, setError] = useState<string>();
  const since = { startTime: timestampFromMs(Date.now() - DAYS * 86_400_000) };
  const fail = (err: unknown) => {
    onAuthError(err);
    setError(plainError(err));
  };

  useEffect(() => {
    client.budget.getUsageReport({ ...since, groupBy: UsageGroupBy.DAY }).then((r) => setDays(r.rows), fail);
  }, [client, refresh]);
  useEffect(() => {
    const by = GROUPS.find(([n]) => n === group)?.[1] ?? UsageGroupBy.MODEL;
    client.budget.getUsageReport({ ...since, groupBy: by }).then((r) => setRows([...r.rows].sort((a, b) => Number(b.costUsdMicros - a.costUsdMicros) || tokensOf(b) - tokensOf(a))), fail);
  }, [client, group, refresh]);

  const x = (days ?? []).map((d) => Date.parse(`${d.group}T00:00:00Z`) / 1000);
  const most = Math.max(1, ...(rows ?? []).map(tokensOf));
  return (
    <section class="spend" aria-labelledby="spend-title">
      <h2 id="spend-title">Spend, last {DAYS} days</h2>
      <ErrorNote message={error} />
      {days && days.length > 0 ? (
        <div class="charts">
          <Chart title="Tokens per day" series={[{ label: "tokens", stroke: "#2563eb" }]} data={[x, days.map(tokensOf)]} pad={86_400} />
          <Chart title="Cost per day (USD)" series={[{ label: "USD", stroke: "#16a34a" }]} data={[x, days.map((d) => Number(d.costUsdMicros) / 1e6)]} pad={86_400} />
        </div>
      ) : null}
      <label for="spend-group">Group by</label>
      <select id="spend-group" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
        {GROUPS.map(([n]) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <table data-testid="spend">
        <TableHead columns={[group, "Requests", "Tokens", "Cost", "Share of tokens"]} />
        <tbody>
          {(rows ?? []).map((r) => (
            <tr key={r.group}>
              <td>{r.group || "—"}</td>
              <td>{count(r.requests)}</td>
              <td>{count(tokensOf(r))}</td>
              <td>{usd(r.costUsdMicros)}</td>
              <td>
                <div class="bar" role="img" aria-label={`${Math.round((tokensOf(r) / most) * 100)} % of the largest`}>
                  <div class="bar-used" style={{ width: `${(tokensOf(r) / most) * 100}%` }} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows?.length === 0 ? <p class="muted">No usage recorded in this time.</p> : null}
    </section>
  );
}
