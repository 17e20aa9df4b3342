// Mirrors provider health into grpc.health.v1: one entry per provider
// ("hoosh.provider.<name>": NOT_SERVING while its breaker is open), and
// InferenceService NOT_SERVING while every provider's breaker is open. Watch
// callers get each change pushed.
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";
import type { HealthStatus } from "./health-status.js";
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
