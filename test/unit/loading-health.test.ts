// A provider whose model is loading (an in-process engine with load = "startup") is reported as
// such while hoosh already serves: grpc.health NOT_SERVING under its name, ListModels UNKNOWN with
// the reason; both return to the breaker's view once the load ends, however it ends.
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { HealthState, Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { HealthStatus } from "../../server/core/health-status.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { LOADING_REASON, ModelCatalog } from "../../server/core/model-catalog.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { providerHealthName, publishLoading, publishProviderHealth } from "../../server/core/provider-health-status.js";
import { Router } from "../../server/core/router.js";
import type { Provider } from "../../server/providers/provider.js";

/** A provider whose load the test ends (or fails) when it wants. */
function loadingProvider(name: string) {
  let pending: Promise<void> | undefined;
  let end!: () => void;
  pending = new Promise<void>((resolve) => {
    end = () => {
      pending = undefined;
      resolve();
    };
  });
  const provider: Provider = {
    name,
    type: "local",
    locality: Locality.LOCAL,
    pendingLoad: () => pending,
    generate: () => Promise.reject(new Error("unused")),
    generateStream: () => {
      throw new Error("unused");
    },
    embed: () => Promise.reject(new Error("unused")),
    listModels: async () => [],
    close: async () => {},
  };
  return { provider, end: () => end() };
}

const settle = () => new Promise((r) => setImmediate(r));

function wire(providers: Provider[], breakers = new ProviderHealth()) {
  const status = new HealthStatus();
  publishProviderHealth(breakers, status, providers.map((p) => p.name));
  publishLoading(providers, breakers, status);
  const catalog = new ModelCatalog(new Router(providers.map((p) => ({ provider: p, models: ["m"], priority: 1, weight: 1 })), "priority", new LatencyTracker()), breakers);
  return { status, catalog };
}

describe("a model loading at startup", () => {
  it("grpc.health is NOT_SERVING and ListModels UNKNOWN with the reason until the load ends, then SERVING", async () => {
    const { provider, end } = loadingProvider("embedded");
    const { status, catalog } = wire([provider]);
    expect(status.get(providerHealthName("embedded"))).toBe("NOT_SERVING");
    expect(status.get("")).toBe("SERVING");
    const [loading] = await catalog.list(new AbortController().signal);
    expect(loading).toMatchObject({ id: "m", health: HealthState.UNKNOWN, healthReason: LOADING_REASON });

    end();
    await settle();
    expect(status.get(providerHealthName("embedded"))).toBe("SERVING");
    const [loaded] = await catalog.list(new AbortController().signal);
    expect(loaded!.healthReason).toBe("");
  });

  it("a provider with no load in progress is not touched", async () => {
    const other: Provider = { ...loadingProvider("remote").provider, pendingLoad: () => undefined };
    const { status, catalog } = wire([other]);
    expect(status.get(providerHealthName("remote"))).toBe("SERVING");
    const [m] = await catalog.list(new AbortController().signal);
    expect(m!.healthReason).toBe("");
  });

  it("a breaker opened during the load keeps the provider NOT_SERVING after it, and UNHEALTHY wins over loading", async () => {
    const { provider, end } = loadingProvider("embedded");
    const breakers = new ProviderHealth(() => ({ failures: 1, cooldownMs: 60_000 }));
    const { status, catalog } = wire([provider], breakers);
    breakers.failure("embedded", new ConnectError("engine crashed", Code.Unavailable));
    const [m] = await catalog.list(new AbortController().signal);
    expect(m!.health).toBe(HealthState.UNHEALTHY);
    end();
    await settle();
    expect(status.get(providerHealthName("embedded"))).toBe("NOT_SERVING");
  });
});
