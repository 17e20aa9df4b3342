// When to restart a server that went away: exponential backoff from
// initial_backoff_ms (doubled per crash still inside the window, capped at
// max_backoff_ms), and a crash-loop cap: max_crashes within crash_window_ms
// stops restarts. Pure: the caller passes the clock.
import type { McpServerConfig } from "../../config/schema.js";

export type CrashVerdict = { restart: true; delayMs: number } | { restart: false; crashes: number; windowMs: number };

export class CrashPolicy {
  private times: number[] = [];

  constructor(
    private readonly policy: McpServerConfig["restart"],
    /** false: never give up (a remote HTTP server may come back at any time). */
    private readonly capped: boolean,
  ) {}

  /** Records a crash at `now` and says what to do. */
  crashed(now: number): CrashVerdict {
    const { initial_backoff_ms, max_backoff_ms, max_crashes, crash_window_ms } = this.policy;
    this.times = this.times.filter((t) => now - t < crash_window_ms);
    this.times.push(now);
    const n = this.times.length;
    if (this.capped && n >= max_crashes) return { restart: false, crashes: n, windowMs: crash_window_ms };
    const delayMs = Math.min(max_backoff_ms, initial_backoff_ms * 2 ** Math.min(n - 1, 30));
    return { restart: true, delayMs };
  }

  /** Crashes counted in the current window. */
  get recent(): number {
    return this.times.length;
  }
}
