// Markdown tables and a hand-written SVG chart from an overhead run's numbers.
import type { LoadRow, OverheadResult, ScenarioName } from "./run.js";

const LABEL: Record<ScenarioName, string> = {
  direct: "(a) direct to mock",
  "hoosh-rest": "(b) hoosh REST",
  "hoosh-grpc": "(c) hoosh gRPC (ghz)",
  portkey: "(d) Portkey",
  litellm: "(e) LiteLLM",
};
// Numbers may come back from JSON as null (NaN is stored as null): treat any non-finite as missing.
const ok = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n);
const f = (n: number | null | undefined, d = 2) => (ok(n) ? n.toFixed(d) : "—");
const diff = (a: number | null | undefined, b: number | null | undefined) => (ok(a) && ok(b) ? `${a - b >= 0 ? "+" : ""}${(a - b).toFixed(2)}` : "—");
const STREAM_LABEL: Record<ScenarioName, string> = { ...LABEL, "hoosh-grpc": "(c) hoosh gRPC GenerateStream (connect-node)" };

export function overheadMarkdown(r: OverheadResult): string {
  const out: string[] = [];
  if (r.setup) out.push(r.setup, "");
  const direct = (label: string) => r.rows.find((x) => x.scenario === "direct" && x.load.label === label);
  out.push("| path | load | req/s | p50 ms | p90 ms | p99 ms | added p50 ms | added p99 ms | gateway CPU ms/req | peak RSS MiB | failed |", "|---|---|---|---|---|---|---|---|---|---|---|");
  for (const row of r.rows) {
    const d = row.scenario === "direct" ? undefined : direct(row.load.label);
    const l = row.result.latency;
    out.push(`| ${LABEL[row.scenario]} | ${row.load.label} | ${f(row.result.throughput, 0)} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${d ? diff(l.p50, d.result.latency.p50) : "—"} | ${d ? diff(l.p99, d.result.latency.p99) : "—"} | ${f(row.cpuMsPerRequest)} | ${f(row.peakRssMiB, 0)} | ${row.result.failed}${row.result.firstError ? ` (${row.result.firstError.slice(0, 60)})` : ""} |`);
  }
  if (r.streamRows.length) {
    const ds = r.streamRows.find((x) => x.scenario === "direct")?.result;
    out.push("", "Streaming (stream:true, concurrency 16):", "", "| path | TTFT p50 ms | TTFT p99 ms | added TTFT p50 ms | inter-chunk gap p50 ms | added gap ms | chunks/stream | failed |", "|---|---|---|---|---|---|---|---|");
    for (const s of r.streamRows) {
      const x = s.result;
      const isD = s.scenario === "direct";
      out.push(`| ${STREAM_LABEL[s.scenario]} | ${f(x.ttft.p50)} | ${f(x.ttft.p99)} | ${!isD && ds ? diff(x.ttft.p50, ds.ttft.p50) : "—"} | ${f(x.gap.p50, 3)} | ${!isD && ds ? diff(x.gap.p50, ds.gap.p50) : "—"} | ${f(x.chunks, 0)} | ${x.failed}${x.firstError ? ` (${x.firstError.slice(0, 60)})` : ""} |`);
    }
  }
  const skipped = Object.entries(r.skipped);
  if (skipped.length) {
    out.push("", "Not run / incomplete:", "");
    for (const [s, why] of skipped) out.push(`- ${LABEL[s as ScenarioName]}: ${why}`);
  }
  return out.join("\n");
}

const COLORS: Record<ScenarioName, string> = { direct: "#555555", "hoosh-rest": "#1f77b4", "hoosh-grpc": "#2ca02c", portkey: "#ff7f0e", litellm: "#d62728" };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** p50 (solid) and p99 (dashed) latency against offered load; closed-loop points sit at their achieved rate. */
export function latencySvg(r: OverheadResult, title: string): string {
  const W = 760, H = 440, L = 70, R = 200, T = 40, B = 60;
  const rows = r.rows.filter((x) => ok(x.result.latency.p50) && ok(x.result.latency.p99));
  const xOf = (row: LoadRow) => row.load.rate ?? row.result.throughput;
  const maxX = Math.max(100, ...rows.map(xOf)) * 1.1;
  const maxY = Math.max(1, ...rows.map((x) => x.result.latency.p99)) * 1.1;
  const px = (x: number) => L + (x / maxX) * (W - L - R);
  const py = (y: number) => H - B - (y / maxY) * (H - T - B);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${L}" y="22" font-size="14">${esc(title)}</text>`];
  for (let i = 0; i <= 5; i++) {
    const y = (maxY * i) / 5, x = (maxX * i) / 5;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`, `<text x="${L - 6}" y="${py(y) + 4}" text-anchor="end">${y.toFixed(y < 10 ? 1 : 0)}</text>`);
    parts.push(`<text x="${px(x)}" y="${H - B + 16}" text-anchor="middle">${x.toFixed(0)}</text>`);
  }
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="black"/>`, `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="black"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 20}" text-anchor="middle">offered load, req/s (closed-loop points at achieved req/s)</text>`);
  parts.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">latency, ms</text>`);
  let ly = T + 10;
  for (const s of Object.keys(COLORS) as ScenarioName[]) {
    const pts = rows.filter((x) => x.scenario === s).sort((a, b) => xOf(a) - xOf(b));
    if (!pts.length) continue;
    for (const [key, dash] of [["p50", ""], ["p99", ' stroke-dasharray="5 4"']] as const) {
      const d = pts.map((p, i) => `${i ? "L" : "M"}${px(xOf(p)).toFixed(1)} ${py(p.result.latency[key]).toFixed(1)}`).join(" ");
      parts.push(`<path d="${d}" fill="none" stroke="${COLORS[s]}" stroke-width="2"${dash}/>`);
      for (const p of pts) parts.push(`<circle cx="${px(xOf(p)).toFixed(1)}" cy="${py(p.result.latency[key]).toFixed(1)}" r="3" fill="${COLORS[s]}"/>`);
    }
    parts.push(`<line x1="${W - R + 15}" x2="${W - R + 40}" y1="${ly}" y2="${ly}" stroke="${COLORS[s]}" stroke-width="2"/>`, `<text x="${W - R + 46}" y="${ly + 4}">${esc(LABEL[s])}</text>`);
    ly += 18;
  }
  parts.push(`<text x="${W - R + 15}" y="${ly + 10}">solid p50, dashed p99</text>`, "</svg>");
  return parts.join("\n");
}
