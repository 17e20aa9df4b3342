// The overview's data: LiveStats (rolling window, today's totals) and AdminService.WatchStats
// (interval validation, provider health and breaker, a push on every health change).
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AdminService, BreakerState, WatchStatsRequestSchema, type WatchStatsResponse } from "../../gen/ts/hoosh/v1/admin_pb.js";
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { LiveStats, percentile } from "../../server/observability/live-stats.js";
import type { RequestRecord } from "../../server/observability/metrics.js";
import { createWatchStats, intervalOf } from "../../server/rpc/watch-stats.js";

const record = (seconds: number, code = "OK", extra: Partial<RequestRecord> = {}): RequestRecord => ({ route: "rpc:generate", operation: "chat", model: "m", provider: "p", code, seconds, ...extra });

describe("LiveStats", () => {
  it("rates, error share and percentiles over the last 60 s; totals since midnight UTC", () => {
    let now = Date.UTC(2026, 0, 1, 10, 0, 0);
    const live = new LiveStats(() => now);
    for (let i = 1; i <= 100; i++) live.record(record(i / 1000, i % 10 === 0 ? "UNAVAILABLE" : "OK", { inputTokens: 2, outputTokens: 3, costUsdMicros: 5n }));
    let f = live.figures();
    expect(f.requestsPerSecond).toBeCloseTo(100 / 60);
    expect(f.errorRate).toBeCloseTo(0.1);
    expect(f.latencyP50Ms).toBeCloseTo(50);
    expect(f.latencyP99Ms).toBeCloseTo(99);
    expect([f.requestsToday, f.errorsToday, f.inputTokensToday, f.outputTokensToday, f.costUsdMicrosToday]).toEqual([100, 10, 200, 300, 500n]);

    now += 61_000; // out of the window, still today
    f = live.figures();
    expect([f.requestsPerSecond, f.errorRate, f.latencyP50Ms, f.requestsToday]).toEqual([0, 0, 0, 100]);

    live.record(record(0.01, "CANCELED")); // the caller's cancel: counted, not an error
    f = live.figures();
    expect([f.requestsToday, f.errorsToday, f.errorRate]).toEqual([101, 10, 0]);

    now = Date.UTC(2026, 0, 2, 0, 0, 1); // a new day
    live.record(record(0.2));
    f = live.figures();
    expect([f.requestsToday, f.inputTokensToday, f.latencyP50Ms]).toEqual([1, 0, 200]);
  });

  it("percentile: nearest rank, 0 for none", () => {
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
  });
});

function ctx(signal?: AbortSignal) {
  return createHandlerContext({
    service: AdminService,
    method: AdminService.method.watchStats,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://127.0.0.1/hoosh.v1.AdminService/WatchStats",
    ...(signal ? { requestSignal: signal } : {}),
  });
}

describe("WatchStats", () => {
  it("interval_ms: 0 is the default; out of range is INVALID_ARGUMENT naming the field and the range", () => {
    expect(intervalOf(create(WatchStatsRequestSchema, {}))).toBe(2000);
    expect(intervalOf(create(WatchStatsRequestSchema, { intervalMs: 250 }))).toBe(250);
    for (const intervalMs of [1, 249, 60_001]) {
      const err = (() => {
        try {
          intervalOf(create(WatchStatsRequestSchema, { intervalMs }));
        } catch (e) {
          return e as ConnectError;
        }
        throw new Error("no error");
      })();
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toBe(`interval_ms: ${intervalMs} is out of range; use 0 (default 2000) or 250 to 60000`);
    }
  });

  it("sends at once, then on every provider health change (before the interval), with the breaker's state; stops on cancel", async () => {
    let now = 1_000_000;
    const health = new ProviderHealth(() => ({ failures: 2, cooldownMs: 30_000 }), () => now);
    const watch = createWatchStats({
      figures: () => new LiveStats(() => now).figures(),
      streamsInFlight: async () => 3,
      providers: [
        { name: "a", type: "openai" },
        { name: "b", type: "anthropic" },
      ],
      health,
      now: () => now,
    });
    const controller = new AbortController();
    const stream = watch(create(WatchStatsRequestSchema, { intervalMs: 60_000 }), ctx(controller.signal));
    const next = async (): Promise<WatchStatsResponse> => {
      const r = await stream.next();
      if (r.done) throw new Error("stream ended");
      return r.value;
    };

    const first = await next();
    expect(first.streamsInFlight).toBe(3n);
    expect(first.providers.map((p) => [p.name, p.type, p.health, p.breaker])).toEqual([
      ["a", "openai", HealthState.UNKNOWN, BreakerState.CLOSED],
      ["b", "anthropic", HealthState.UNKNOWN, BreakerState.CLOSED],
    ]);

    // Two failures open a's breaker: pushed now, not after the 60 s interval.
    const pending = next();
    health.failure("a", new ConnectError("upstream down", Code.Unavailable));
    health.failure("a", new ConnectError("upstream down", Code.Unavailable));
    const second = await pending;
    const a2 = second.providers[0]!;
    expect([a2.health, a2.breaker]).toEqual([HealthState.UNHEALTHY, BreakerState.OPEN]);
    expect(Number(a2.breakerRetryAt?.seconds)).toBe(Math.floor((1_000_000 + 30_000) / 1000));

    now += 30_000; // the cooldown is over: half-open until a request or probe tries it
    health.success("b");
    const third = await next();
    expect(third.providers.map((p) => p.breaker)).toEqual([BreakerState.HALF_OPEN, BreakerState.CLOSED]);

    const ending = stream.next();
    controller.abort();
    expect((await ending).done).toBe(true);
  });
});
