// /metrics across worker processes: the worker that gets the scrape asks the primary, which
// collects every worker's metrics as JSON over the cluster IPC channel and merges them with
// prom-client's AggregatorRegistry (counters and histograms summed per label set).
import cluster, { type Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import { AggregatorRegistry, type Registry } from "prom-client";

/** How long the primary waits for a worker's part (a busy or dying worker is left out). */
const PART_TIMEOUT_MS = 2_000;
/** How long a worker waits for the merged answer. */
const ANSWER_TIMEOUT_MS = 5_000;

type Message =
  | { hoosh: "metrics-request"; id: string }
  | { hoosh: "metrics-collect"; id: string }
  | { hoosh: "metrics-part"; id: string; json: unknown[] }
  | { hoosh: "metrics-answer"; id: string; text?: string; error?: string };

const isMessage = (m: unknown): m is Message => typeof m === "object" && m !== null && typeof (m as { hoosh?: unknown }).hoosh === "string";

/** Worker side: answers the primary's collection with this process's current registry. */
export function answerMetricsCollection(current: () => Registry): void {
  process.on("message", (m: unknown) => {
    if (!isMessage(m) || m.hoosh !== "metrics-collect") return;
    void current()
      .getMetricsAsJSON()
      .then((json) => process.send?.({ hoosh: "metrics-part", id: m.id, json } satisfies Message));
  });
}

/** Worker side: the merged text of every worker's metrics, from the primary. */
export function clusterMetricsText(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no merged metrics from the primary within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    const onMessage = (m: unknown) => {
      if (!isMessage(m) || m.hoosh !== "metrics-answer" || m.id !== id) return;
      if (m.text !== undefined) finish(undefined, m.text);
      else finish(new Error(m.error ?? "the primary could not merge the metrics"));
    };
    const finish = (err?: Error, text?: string) => {
      clearTimeout(timer);
      process.off("message", onMessage);
      if (err) reject(err);
      else resolve(text!);
    };
    process.on("message", onMessage);
    process.send?.({ hoosh: "metrics-request", id } satisfies Message);
  });
}

/** Primary side: answers each worker's request with the metrics of all live workers merged. */
export function serveClusterMetrics(workers: () => Worker[]): void {
  cluster.on("message", (from: Worker, m: unknown) => {
    if (!isMessage(m) || m.hoosh !== "metrics-request") return;
    void merge(workers()).then(
      (text) => from.send({ hoosh: "metrics-answer", id: m.id, text } satisfies Message),
      (err: Error) => from.send({ hoosh: "metrics-answer", id: m.id, error: err.message } satisfies Message),
    );
  });
}

async function merge(workers: Worker[]): Promise<string> {
  const id = randomUUID();
  const parts = await Promise.all(workers.map((w) => collect(w, id)));
  return AggregatorRegistry.aggregate(parts.filter((p): p is unknown[] => p !== undefined) as never).metrics();
}

function collect(worker: Worker, id: string): Promise<unknown[] | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), PART_TIMEOUT_MS);
    const onMessage = (m: unknown) => {
      if (isMessage(m) && m.hoosh === "metrics-part" && m.id === id) done(m.json);
    };
    const done = (json: unknown[] | undefined) => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      resolve(json);
    };
    worker.on("message", onMessage);
    if (!worker.isConnected()) return done(undefined);
    worker.send({ hoosh: "metrics-collect", id } satisfies Message);
  });
}

