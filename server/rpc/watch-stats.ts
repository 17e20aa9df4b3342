/**
 * AdminService.WatchStats: the live figures (observability/live-stats.ts) and each provider's
 * health and breaker, sent at once, then every interval and whenever a provider's health changes,
 * until the caller cancels (ctx.signal) or the stream duration limit ends the call.
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { BreakerState, ProviderStatusSchema, WatchStatsResponseSchema, type ProviderStatus, type WatchStatsRequest, type WatchStatsResponse } from "../../gen/ts/hoosh/v1/admin_pb.js";
import type { LocalPlacements } from "../core/local-placements.js";
import type { ProviderHealth } from "../core/provider-health.js";
import type { LiveFigures } from "../observability/live-stats.js";

export const DEFAULT_INTERVAL_MS = 2000;
export const MIN_INTERVAL_MS = 250;
export const MAX_INTERVAL_MS = 60_000;

export interface WatchStatsDeps {
  figures: () => LiveFigures;
  streamsInFlight: () => Promise<number>;
  /** Configured providers in config order. */
  providers: readonly { name: string; type: string }[];
  health: Pick<ProviderHealth, "get" | "openUntil" | "onChange" | "recentErrors">;
  /** Local models' placements; none in bare test setups. */
  placements?: Pick<LocalPlacements, "get">;
  now?: () => number;
}

export function intervalOf(req: WatchStatsRequest): number {
  const ms = req.intervalMs;
  if (ms === 0) return DEFAULT_INTERVAL_MS;
  if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
    throw new ConnectError(`interval_ms: ${ms} is out of range; use 0 (default ${DEFAULT_INTERVAL_MS}) or ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}`, Code.InvalidArgument);
  }
  return ms;
}

export function createWatchStats(deps: WatchStatsDeps): (req: WatchStatsRequest, ctx: HandlerContext) => AsyncGenerator<WatchStatsResponse> {
  const now = deps.now ?? Date.now;
  const provider = (p: { name: string; type: string }): ProviderStatus => {
    const { state, reason } = deps.health.get(p.name);
    const until = deps.health.openUntil(p.name);
    const placed = deps.placements?.get(p.name);
    const breaker = until === undefined ? BreakerState.CLOSED : now() < until ? BreakerState.OPEN : BreakerState.HALF_OPEN;
    return create(ProviderStatusSchema, {
      name: p.name,
      type: p.type,
      health: state,
      reason,
      breaker,
      ...(breaker === BreakerState.OPEN && until !== undefined ? { breakerRetryAt: timestampFromMs(until) } : {}),
      recentErrors: deps.health.recentErrors.of(p.name).map((e) => ({ time: timestampFromMs(e.timeMs), code: e.code, message: e.message, model: e.model })),
      ...(placed ? { localPlacement: { modelPath: placed.modelPath, placement: placed.placement } } : {}),
    });
  };
  const snapshot = async (): Promise<WatchStatsResponse> => {
    const f = deps.figures();
    return create(WatchStatsResponseSchema, {
      time: timestampFromMs(now()),
      windowSeconds: f.windowSeconds,
      requestsPerSecond: f.requestsPerSecond,
      errorRate: f.errorRate,
      latencyP50Ms: f.latencyP50Ms,
      latencyP99Ms: f.latencyP99Ms,
      requestsToday: BigInt(f.requestsToday),
      errorsToday: BigInt(f.errorsToday),
      inputTokensToday: BigInt(f.inputTokensToday),
      outputTokensToday: BigInt(f.outputTokensToday),
      costUsdMicrosToday: f.costUsdMicrosToday,
      streamsInFlight: BigInt(await deps.streamsInFlight()),
      providers: deps.providers.map(provider),
    });
  };
  return async function* watchStats(req, ctx) {
    const interval = intervalOf(req);
    // A health change while a message is being built is not lost: `changed` makes the wait end at once.
    let changed = false;
    let wake: (() => void) | undefined;
    const unsubscribe = deps.health.onChange(() => {
      changed = true;
      wake?.();
    });
    try {
      while (!ctx.signal.aborted) {
        changed = false;
        yield await snapshot();
        if (changed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, interval);
          function done(): void {
            clearTimeout(timer);
            ctx.signal.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          }
          wake = done;
          ctx.signal.addEventListener("abort", done, { once: true });
        });
      }
    } finally {
      unsubscribe();
    }
  };
}
