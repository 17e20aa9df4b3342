// `hoosh serve --workers N`: the primary process. It serves nothing itself: it forks N workers
// (node:cluster; they share the one port), restarts a worker that dies with a growing delay,
// forwards SIGHUP (config reload) to every worker, drains them all on SIGTERM/SIGINT, and answers
// the workers' /metrics requests with the metrics of all of them (cluster-metrics.ts).
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../observability/log.js";
import { serveClusterMetrics } from "./cluster-metrics.js";

const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 10_000;
/** A worker that stayed up this long ends its slot's crash streak. */
const STABLE_AFTER_MS = 30_000;
/** Past the grace period, workers still running are killed. */
const KILL_AFTER_GRACE_MS = 5_000;

export interface PrimaryOptions {
  workers: number;
  /** Workers drain this long ([server] shutdown_grace_ms) before the primary kills them. */
  shutdownGraceMs: number;
  log: Logger;
}

interface Slot {
  worker?: Worker;
  listening: boolean;
  startedAt: number;
  /** Deaths in a row without a stable run: the next restart waits 100 ms x 2^crashes (at most 10 s). */
  crashes: number;
}

export function restartDelayMs(crashes: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, crashes - 1));
}

export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { log } = options;
  const slots: Slot[] = Array.from({ length: options.workers }, () => ({ startedAt: 0, crashes: 0, listening: false }));
  let stopping = false;
  let announced = false;

  const fork = (index: number) => {
    const slot = slots[index]!;
    slot.startedAt = Date.now();
    const worker = cluster.fork({ HOOSH_WORKER_INDEX: String(index) });
    slot.worker = worker;
    worker.once("listening", (address) => {
      slot.listening = true;
      if (!announced && slots.every((s) => s.listening)) {
        announced = true;
        log.log("info", "listening", { address: address.address, port: address.port, pid: process.pid, workers: options.workers });
      }
    });
    worker.once("exit", (code, signal) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (stopping) return;
      slot.crashes = Date.now() - slot.startedAt >= STABLE_AFTER_MS ? 1 : slot.crashes + 1;
      const delay = restartDelayMs(slot.crashes);
      log.log("error", "worker exited; restarting it", { worker: index, pid: worker.process.pid, code, signal, restart_in_ms: delay, crashes_in_a_row: slot.crashes });
      setTimeout(() => {
        if (!stopping) fork(index);
      }, delay);
    });
  };

  // Workers accept from the shared socket themselves: with round-robin, the primary hands each
  // accepted connection to a worker, and one handed to a worker that has just died is lost (its
  // client hangs); in the kernel's accept queue it waits for a live worker instead.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  serveClusterMetrics(() => slots.flatMap((s) => (s.worker ? [s.worker] : [])));
  process.on("SIGHUP", () => {
    for (const s of slots) s.worker?.process.kill("SIGHUP");
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log("info", "draining", { signal, workers: slots.filter((s) => s.worker).length, grace_ms: options.shutdownGraceMs });
    const alive = slots.flatMap((s) => (s.worker ? [s.worker] : []));
    const exited = alive.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once("exit", () => resolve()))));
    for (const w of alive) w.process.kill("SIGTERM");
    const killer = setTimeout(() => {
      for (const w of alive) if (!w.isDead()) w.process.kill("SIGKILL");
    }, options.shutdownGraceMs + KILL_AFTER_GRACE_MS);
    await Promise.all(exited);
    clearTimeout(killer);
    log.log("info", "stopped", { signal });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  for (let i = 0; i < options.workers; i++) fork(i);
}
