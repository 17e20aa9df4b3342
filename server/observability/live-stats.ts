// The figures the console's overview shows live (AdminService.WatchStats): requests per second,
// error rate and latency percentiles over a rolling window of one-second buckets, and totals
// since 00:00 UTC. Fed by Metrics.request (every edge, once per request); O(1) per request,
// bounded memory (a fixed number of buckets, a capped latency sample per bucket).

import type { RequestRecord } from "./metrics.js";

const WINDOW_SECONDS = 60;
/** Latencies kept per one-second bucket: enough for p99 at console precision, bounded under load. */
const SAMPLES_PER_BUCKET = 200;
const DAY_MS = 86_400_000;

interface Bucket {
  second: number;
  requests: number;
  errors: number;
  latenciesMs: number[];
}

export interface LiveFigures {
  windowSeconds: number;
  requestsPerSecond: number;
  errorRate: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requestsToday: number;
  errorsToday: number;
  inputTokensToday: number;
  outputTokensToday: number;
  costUsdMicrosToday: bigint;
}

export class LiveStats {
  private readonly buckets: Bucket[] = Array.from({ length: WINDOW_SECONDS }, () => ({ second: -1, requests: 0, errors: 0, latenciesMs: [] }));
  private day = -1;
  private today = { requests: 0, errors: 0, input: 0, output: 0, cost: 0n };

  constructor(private readonly now: () => number = Date.now) {}

  record(r: RequestRecord): void {
    const t = this.now();
    this.rollDay(t);
    const second = Math.floor(t / 1000);
    const b = this.buckets[second % WINDOW_SECONDS]!;
    if (b.second !== second) {
      b.second = second;
      b.requests = 0;
      b.errors = 0;
      b.latenciesMs.length = 0;
    }
    // A caller that cancels (closed the tab, pressed Cancel) is not a failure of the gateway.
    const ok = r.code === "OK" || r.code === "CANCELED";
    b.requests++;
    if (!ok) b.errors++;
    // Reservoir-free cap: under heavy load the first samples of each second stand for it.
    if (b.latenciesMs.length < SAMPLES_PER_BUCKET) b.latenciesMs.push(r.seconds * 1000);
    this.today.requests++;
    if (!ok) this.today.errors++;
    this.today.input += r.inputTokens ?? 0;
    this.today.output += r.outputTokens ?? 0;
    this.today.cost += r.costUsdMicros ?? 0n;
  }

  figures(): LiveFigures {
    const t = this.now();
    this.rollDay(t);
    const newest = Math.floor(t / 1000);
    let requests = 0;
    let errors = 0;
    const latencies: number[] = [];
    for (const b of this.buckets) {
      if (b.second <= newest - WINDOW_SECONDS || b.second > newest) continue;
      requests += b.requests;
      errors += b.errors;
      for (const l of b.latenciesMs) latencies.push(l);
    }
    latencies.sort((a, b) => a - b);
    return {
      windowSeconds: WINDOW_SECONDS,
      requestsPerSecond: requests / WINDOW_SECONDS,
      errorRate: requests === 0 ? 0 : errors / requests,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP99Ms: percentile(latencies, 0.99),
      requestsToday: this.today.requests,
      errorsToday: this.today.errors,
      inputTokensToday: this.today.input,
      outputTokensToday: this.today.output,
      costUsdMicrosToday: this.today.cost,
    };
  }

  private rollDay(t: number): void {
    const day = Math.floor(t / DAY_MS);
    if (day === this.day) return;
    this.day = day;
    this.today = { requests: 0, errors: 0, input: 0, output: 0, cost: 0n };
  }
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
