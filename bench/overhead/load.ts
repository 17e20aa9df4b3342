// HTTP load generator (undici): a fixed number of connections, either closed
// loop (each connection sends its next request when the last one is answered)
// or a fixed overall request rate with at most `concurrency` in flight (like
// autocannon's connections + overallRate). Latency is float ms per request,
// from send to the last body byte (autocannon's histogram rounds to whole ms,
// too coarse for sub-millisecond gateway overhead). Bounded by duration or count.
import { Pool } from "undici";
import { summarize, type LatencySummary } from "./stats.js";

export interface LoadSpec {
  /** Label, e.g. "c32", "200 rps". */
  label: string;
  concurrency: number;
  /** Requests per second overall; undefined = closed loop as fast as answered. */
  rate?: number;
  /** Measured phase length (ms) ... */
  durationMs?: number;
  /** ... or a fixed number of measured requests (whichever is given; count wins). */
  requests?: number;
  /** Warm-up before measuring (ms; excluded from results). */
  warmupMs: number;
}

export interface HttpTarget {
  /** Origin, e.g. "http://127.0.0.1:8080". */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  latency: LatencySummary;
  /** Answered 2xx per second over the measured phase. */
  throughput: number;
  ok: number;
  failed: number;
  wallMs: number;
  firstError?: string;
  /** Answers by HTTP status (0 = no answer: a transport error). */
  statuses?: Record<number, number>;
  /** Latency of the non-2xx answers (how cheaply load is shed). */
  rejectedLatency?: LatencySummary;
  /** Non-2xx bodies seen, by text, at most 5 distinct. */
  rejections?: Record<string, number>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function phase(pool: Pool, t: HttpTarget, spec: LoadSpec, durationMs: number | undefined, count: number | undefined, record: boolean) {
  const lat: number[] = [];
  const rejectedLat: number[] = [];
  const statuses: Record<number, number> = {};
  const rejections: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const t0 = performance.now();
  const end = durationMs !== undefined ? t0 + durationMs : Number.POSITIVE_INFINITY;
  const interval = spec.rate ? 1000 / spec.rate : 0;
  const hardStop = t0 + (durationMs ?? 60_000) + 30_000; // never run away
  async function worker() {
    for (;;) {
      const k = next++;
      if (count !== undefined && k >= count) return;
      if (interval) {
        const due = t0 + k * interval;
        if (due >= end) return;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
      }
      const now = performance.now();
      if (now >= end || now >= hardStop) return;
      try {
        const res = await pool.request({ method: "POST", path: t.path, headers: t.headers, body: t.body });
        const body = await res.body.text();
        if (record) statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          ok++;
          if (record) lat.push(performance.now() - now);
        } else {
          failed++;
          firstError ??= `HTTP ${res.statusCode}`;
          if (record) {
            rejectedLat.push(performance.now() - now);
            const text = `${res.statusCode} ${body.slice(0, 160)}`;
            if (text in rejections || Object.keys(rejections).length < 5) rejections[text] = (rejections[text] ?? 0) + 1;
          }
        }
      } catch (err) {
        if (record) statuses[0] = (statuses[0] ?? 0) + 1;
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  }
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  return { lat, rejectedLat, statuses, rejections, ok, failed, firstError, wallMs: performance.now() - t0 };
}

export async function runHttpLoad(t: HttpTarget, spec: LoadSpec): Promise<LoadResult> {
  const pool = new Pool(t.origin, { connections: spec.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  try {
    if (spec.warmupMs > 0) await phase(pool, t, spec, spec.warmupMs, undefined, false);
    const r = await phase(pool, t, spec, spec.requests === undefined ? (spec.durationMs ?? 3000) : undefined, spec.requests, true);
    return {
      latency: summarize(r.lat),
      throughput: (r.ok / r.wallMs) * 1000,
      ok: r.ok,
      failed: r.failed,
      wallMs: r.wallMs,
      statuses: r.statuses,
      rejectedLatency: summarize(r.rejectedLat),
      rejections: r.rejections,
      ...(r.firstError ? { firstError: r.firstError } : {}),
    };
  } finally {
    await pool.close();
  }
}
