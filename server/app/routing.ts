// The providers of a config and how requests reach them: the shared upstream transport, one
// provider per enabled [[providers]] entry, their health (breakers) and the router.
import { ConnectError } from "@connectrpc/connect";
import type { Config } from "../config/index.js";
import { ConfigError } from "../config/index.js";
import { semanticModelOf } from "../core/cache/semantic-config.js";
import { LatencyTracker } from "../core/latency.js";
import { ProviderHealth } from "../core/provider-health.js";
import { Router } from "../core/router.js";
import type { Observability } from "../observability/index.js";
import type { SpeechDeps } from "../providers/stt/config.js";
import { createProvider } from "../providers/factory.js";
import type { Provider } from "../providers/provider.js";
import { Transport } from "../providers/transport.js";
import type { Cleanup } from "./cleanup.js";

export interface Routing {
  providers: Provider[];
  /** [[providers]] entries by name. */
  byName: Map<string, Config["providers"][number]>;
  router: Router;
  health: ProviderHealth;
  latency: LatencyTracker;
}

/** `engineLog`: where managed engines (speech) write their lines. */
export function buildRouting(config: Config, obs: Observability, source: string, cleanup: Cleanup, engineLog: SpeechDeps["log"] = () => {}): Routing {
  // The environment's HTTPS_PROXY / NO_PROXY and cloud credentials (AWS_*, GOOGLE_APPLICATION_CREDENTIALS).
  const transport = new Transport(process.env);
  cleanup.add(() => transport.close());
  const providers: Provider[] = [];
  cleanup.add(() => Promise.all(providers.map((p) => p.close())));
  const routes = config.providers.flatMap((p, i) => {
    if (!p.enabled) return [];
    const provider = obs.provider(createProvider(p, i, transport, source, process.env, { log: engineLog }));
    providers.push(provider);
    return [{ provider, models: p.models, priority: p.priority, weight: p.weight }];
  });
  const byName = new Map(config.providers.map((p) => [p.name, p]));
  const latency = new LatencyTracker();
  const health = new ProviderHealth((name) => {
    const breaker = byName.get(name)?.breaker;
    return { failures: breaker?.failures ?? 5, cooldownMs: breaker?.cooldown_ms ?? 30_000 };
  });
  const router = new Router(routes, config.router.strategy, latency, Math.random, config.aliases, health);
  const semanticModel = semanticModelOf(config.cache);
  if (semanticModel !== undefined) {
    try {
      router.targets(semanticModel);
    } catch (err) {
      throw new ConfigError(source, [{ path: "cache.semantic_model", message: ConnectError.from(err).rawMessage }]);
    }
  }
  return { providers, byName, router, health, latency };
}
