// What the Providers page shows beyond health: each provider's recent errors (a bounded ring per
// provider, filled by ProviderHealth.failure) and a local model's placement, both sent by WatchStats.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { AdminService, WatchStatsRequestSchema } from "../../gen/ts/hoosh/v1/admin_pb.js";
import { PlacementKind, RecommendPlacementResponseSchema } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { LocalPlacements } from "../../server/core/local-placements.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { RecentErrors } from "../../server/core/recent-errors.js";
import { LiveStats } from "../../server/observability/live-stats.js";
import { createWatchStats } from "../../server/rpc/watch-stats.js";

const error = (i: number) => ({ timeMs: i, code: "unavailable", message: `e${i}`, model: "m" });

describe("RecentErrors", () => {
  it("keeps the last N per provider, newest first, providers apart", () => {
    const recent = new RecentErrors(3);
    expect(recent.of("a")).toEqual([]);
    recent.add("a", error(1));
    expect(recent.of("a").map((e) => e.message)).toEqual(["e1"]);
    for (let i = 2; i <= 7; i++) recent.add("a", error(i));
    recent.add("b", error(100));
    expect(recent.of("a").map((e) => e.message)).toEqual(["e7", "e6", "e5"]);
    expect(recent.of("b").map((e) => e.message)).toEqual(["e100"]);
  });
});

describe("ProviderHealth.failure", () => {
  it("records provider faults with code name, message and model; a caller's mistake is not one", () => {
    const health = new ProviderHealth(undefined, () => 42_000);
    health.failure("p", new ConnectError("upstream said 500", Code.Internal), "gpt-x");
    health.failure("p", new ConnectError("deadline", Code.DeadlineExceeded));
    health.failure("p", new ConnectError("bad temperature", Code.InvalidArgument), "gpt-x");
    expect(health.recentErrors.of("p")).toEqual([
      { timeMs: 42_000, code: "deadline_exceeded", message: "deadline", model: "" },
      { timeMs: 42_000, code: "internal", message: "upstream said 500", model: "gpt-x" },
    ]);
  });
});

describe("WatchStats", () => {
  it("sends each provider's recent errors and a local model's placement", async () => {
    const health = new ProviderHealth(undefined, () => 1_700_000_000_000);
    health.failure("remote", new ConnectError("upstream said 500", Code.Internal), "gpt-x");
    const placements = new LocalPlacements();
    const placement = create(RecommendPlacementResponseSchema, { kind: PlacementKind.CPU_ONLY, estimate: { totalBytes: 123n }, reason: "no GPU" });
    placements.set("local", { modelPath: "/models/tiny.gguf", placement });
    const watch = createWatchStats({
      figures: () => new LiveStats().figures(),
      streamsInFlight: async () => 0,
      providers: [
        { name: "remote", type: "openai" },
        { name: "local", type: "local" },
      ],
      health,
      placements,
    });
    const controller = new AbortController();
    const context = createHandlerContext({
      service: AdminService,
      method: AdminService.method.watchStats,
      protocolName: "connect",
      requestMethod: "POST",
      url: "http://localhost/hoosh.v1.AdminService/WatchStats",
      requestSignal: controller.signal,
    });
    const first = await watch(create(WatchStatsRequestSchema), context).next();
    controller.abort();
    if (first.done) throw new Error("WatchStats ended before its first message");
    const [remote, local] = first.value.providers;
    expect(remote!.recentErrors.map((e) => [e.code, e.message, e.model, Number(e.time?.seconds)])).toEqual([["internal", "upstream said 500", "gpt-x", 1_700_000_000]]);
    expect(remote!.localPlacement).toBeUndefined();
    expect(local!.recentErrors).toEqual([]);
    expect(local!.localPlacement?.modelPath).toBe("/models/tiny.gguf");
    expect(local!.localPlacement?.placement?.kind).toBe(PlacementKind.CPU_ONLY);
    expect(local!.localPlacement?.placement?.estimate?.totalBytes).toBe(123n);
  });
});
