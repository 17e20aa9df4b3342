// Small helpers the benchmarks share: the median of a run's figures, and the load average printed
// beside them (on a shared machine the load says how far a wall-clock figure can be trusted).
import { loadavg as osLoadavg } from "node:os";

/** The middle value (the upper one of an even count); the input is left unsorted. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The 1, 5 and 15-minute load averages as /proc/loadavg prints them ("0.52 1.10 1.33"). */
export const loadavg = (): string => osLoadavg().map((n) => n.toFixed(2)).join(" ");
