/**
 * How loaded this process is, for deciding when to add workers or replicas: requests admitted and
 * waiting (server/core/admission.ts), and how late the event loop runs (perf_hooks' histogram,
 * read and reset at each scrape). Read at scrape time: the request path pays nothing. Merged
 * across `serve --workers N`: counts are summed, the delay is the worst worker's.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Gauge, type Registry } from "prom-client";

export interface AdmissionLoad {
  inFlight: number;
  queued: number;
}

/** Registers the gauges; returns a stop function (the delay monitor's timer). */
export function registerLoadMetrics(registry: Registry, load: () => AdmissionLoad): () => void {
  const registers = [registry];
  new Gauge({
    name: "hoosh_requests_in_flight",
    help: "Inference requests admitted and being served ([server] max_in_flight bounds it).",
    registers,
    aggregator: "sum",
    collect() {
      this.set(load().inFlight);
    },
  });
  new Gauge({
    name: "hoosh_requests_queued",
    help: "Inference requests waiting for a slot ([server] max_queued bounds it).",
    registers,
    aggregator: "sum",
    collect() {
      this.set(load().queued);
    },
  });
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  new Gauge({
    name: "hoosh_event_loop_delay_seconds",
    help: "How late the event loop ran since the previous scrape (quantile 0.5 / 0.99 / 1, seconds): near a core's worth of work it grows; add workers or replicas.",
    labelNames: ["quantile"],
    registers,
    aggregator: "max",
    collect() {
      for (const q of [0.5, 0.99]) this.set({ quantile: String(q) }, delay.percentile(q * 100) / 1e9);
      this.set({ quantile: "1" }, delay.max / 1e9);
      delay.reset();
    },
  });
  return () => delay.disable();
}
