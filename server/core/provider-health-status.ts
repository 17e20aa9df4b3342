// Mirrors provider health into grpc.health.v1: one entry per provider
// ("hoosh.provider.<name>": NOT_SERVING while its breaker is open), and
// InferenceService NOT_SERVING while every provider's breaker is open. Watch
// callers get each change pushed.
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";
import type { HealthStatus } from "./health-status.js";
import type { Provider } from "../providers/provider.js";
import type { ProviderHealth } from "./provider-health.js";

export const providerHealthName = (provider: string) => `hoosh.provider.${provider}`;
const INFERENCE = "hoosh.v1.InferenceService";

export function publishProviderHealth(providers: ProviderHealth, status: HealthStatus, names: string[]): () => void {
  const down = new Set<string>();
  for (const name of names) status.set(providerHealthName(name), "SERVING");
  return providers.onChange((name, state) => {
    if (state === HealthState.UNHEALTHY) down.add(name);
    else down.delete(name);
    status.set(providerHealthName(name), down.has(name) ? "NOT_SERVING" : "SERVING");
    if (names.length > 0) status.set(INFERENCE, down.size === names.length ? "NOT_SERVING" : "SERVING");
  });
}

/**
 * A provider whose model is loading (an in-process engine at startup) is NOT_SERVING under its
 * name until the load ends: requests sent meanwhile wait for it rather than fail.
 */
export function publishLoading(providers: readonly Pick<Provider, "name" | "pendingLoad">[], breakers: ProviderHealth, status: HealthStatus): void {
  for (const provider of providers) {
    const load = provider.pendingLoad?.();
    if (!load) continue;
    const name = providerHealthName(provider.name);
    status.set(name, "NOT_SERVING");
    void load.then(() => status.set(name, breakers.get(provider.name).state === HealthState.UNHEALTHY ? "NOT_SERVING" : "SERVING"));
  }
}
