// Live figures and provider health, pushed by AdminService.WatchStats once a second.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { useEffect, useState } from "preact/hooks";
import type { WatchStatsResponse } from "../../../../gen/ts/hoosh/v1/admin_pb.js";
import type { PageProps } from "../app.js";
import { Chart } from "../chart.js";
import { plainError } from "../errors.js";
import { count, ms, percent, usd } from "../format.js";
import { breakerWord, healthWord } from "../labels.js";
import { TableHead } from "../table-head.js";
import { watchStats } from "../stats.js";
import { ErrorNote } from "../error-note.js";

const HISTORY = 120;

export function Overview({ client, onAuthError }: PageProps) {
  const [stats, setStats] = useState<WatchStatsResponse>();
  const [history, setHistory] = useState<number[][]>([[], [], [], []]);
  const [error, setError] = useState<string>();

  useEffect(
    () =>
      watchStats(
        client,
        1000,
        (s) => {
          setStats(s);
          setError(undefined);
          const t = s.time ? timestampDate(s.time).getTime() / 1000 : Date.now() / 1000;
          setHistory((h) => [t, s.requestsPerSecond, s.latencyP50Ms, s.latencyP99Ms].map((v, i) => [...h[i]!, v].slice(-HISTORY)));
        },
        (err) => {
          onAuthError(err);
          setError(plainError(err));
        },
      ),
    [client],
  );

  return (
    <section>
      <ErrorNote message={error} />
      {!stats ? (
        <p class="muted">Waiting for the first figures…</p>
      ) : (
        <>
          <div class="tiles" data-testid="tiles">
            <Tile label="Requests/s" value={stats.requestsPerSecond.toFixed(2)} hint={`last ${stats.windowSeconds} s`} />
            <Tile label="Error rate" value={percent(stats.errorRate)} hint={`last ${stats.windowSeconds} s`} />
            <Tile label="Latency p50 / p99" value={`${ms(stats.latencyP50Ms)} / ${ms(stats.latencyP99Ms)}`} />
            <Tile label="Requests today" value={count(stats.requestsToday)} hint={stats.errorsToday === 1n ? "1 error" : `${count(stats.errorsToday)} errors`} />
            <Tile label="Tokens today" value={count(stats.inputTokensToday + stats.outputTokensToday)} hint={`${count(stats.inputTokensToday)} in, ${count(stats.outputTokensToday)} out`} />
            <Tile label="Cost today" value={usd(stats.costUsdMicrosToday)} />
            <Tile label="Streams open" value={count(stats.streamsInFlight)} />
          </div>
          <div class="charts">
            <Chart title="Requests per second" series={[{ label: "req/s", stroke: "#2563eb" }]} data={[history[0]!, history[1]!]} clock />
            <Chart title="Latency (ms)" series={[{ label: "p50", stroke: "#16a34a" }, { label: "p99", stroke: "#dc2626" }]} data={[history[0]!, history[2]!, history[3]!]} clock />
          </div>
          <h2>Providers</h2>
          <table data-testid="providers">
            <TableHead columns={["Provider", "Type", "Health", "Breaker", "Reason"]} />
            <tbody>
              {stats.providers.map((p) => {
                const h = healthWord(p.health);
                const b = breakerWord(p.breaker);
                return (
                  <tr key={p.name}>
                    <td>{p.name}</td>
                    <td>{p.type}</td>
                    <td class={h.cls}>{h.text}</td>
                    <td class={b.cls}>
                      {b.text}
                      {p.breakerRetryAt ? ` until ${timestampDate(p.breakerRetryAt).toLocaleTimeString()}` : ""}
                    </td>
                    <td>{p.reason}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Tile(props: { label: string; value: string; hint?: string }) {
  return (
    <div class="tile">
      <div class="tile-label">{props.label}</div>
      <div class="tile-value">{props.value}</div>
      {props.hint ? <div class="tile-hint">{props.hint}</div> : null}
    </div>
  );
}
