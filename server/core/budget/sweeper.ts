/**
 * Periodic sweep of abandoned reservations. Every store operation already drops
 * a pool's expired holds before using the pool, so this is not needed for
 * correctness; it frees memory (and store rows) for pools nobody touches.
 * app.ts starts one per ledger; the timer is unref'd so it never holds the process open.
 */
import type { BudgetLedger } from "./ledger.js";

export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

/** Returns a stop function. Sweep errors (a store outage) go to onError and the timer keeps going. */
export function startBudgetSweeper(
  ledger: BudgetLedger,
  intervalMs: number = DEFAULT_SWEEP_INTERVAL_MS,
  onError: (err: unknown) => void = () => {},
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow store must not pile sweeps up
    running = true;
    ledger.sweep().catch(onError).finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
