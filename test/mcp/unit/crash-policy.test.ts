// Restart backoff and the crash-loop cap of supervised MCP servers.
import { describe, expect, it } from "vitest";
import { CrashPolicy } from "../../../server/mcp/upstream/crash-policy.js";

const policy = { initial_backoff_ms: 100, max_backoff_ms: 1000, max_crashes: 4, crash_window_ms: 10_000 };

describe("CrashPolicy", () => {
  it("doubles the backoff per crash in the window, up to the maximum", () => {
    const p = new CrashPolicy({ ...policy, max_crashes: 100 }, true);
    const delays = [0, 1, 2, 3, 4, 5].map((i) => p.crashed(i));
    expect(delays.map((v) => (v.restart ? v.delayMs : -1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("stops restarting at max_crashes within crash_window_ms", () => {
    const p = new CrashPolicy(policy, true);
    expect([1, 2, 3].map((t) => p.crashed(t).restart)).toEqual([true, true, true]);
    expect(p.crashed(4)).toEqual({ restart: false, crashes: 4, windowMs: 10_000 });
  });

  it("forgets crashes older than the window", () => {
    const p = new CrashPolicy(policy, true);
    for (const t of [0, 1, 2]) p.crashed(t);
    const later = p.crashed(20_000);
    expect(later).toEqual({ restart: true, delayMs: 100 });
    expect(p.recent).toBe(1);
  });

  it("never gives up when uncapped (HTTP servers)", () => {
    const p = new CrashPolicy(policy, false);
    for (let i = 0; i < 50; i++) expect(p.crashed(i).restart).toBe(true);
  });
});
