// The inference core of a config: the pipeline over the routing and budgets, with the response
// cache ([cache]; its shared Redis tier when [store] is Redis) and the semantic step.
import type { Config } from "../config/index.js";
import { CacheHitRecorder } from "../core/accounting/cache-hits.js";
import { ResponseCache } from "../core/cache/response-cache.js";
import { semanticLookup } from "../core/cache/semantic-config.js";
import { Admission } from "../core/admission.js";
import { ContextWindow } from "../core/context-window.js";
import type { ModelMetadata } from "../core/model-metadata.js";
import { Inference } from "../core/inference.js";
import type { Observability } from "../observability/index.js";
import type { Logger } from "../observability/log.js";
import { registerLoadMetrics } from "../observability/load-metrics.js";
import { registerSharedCacheMetrics } from "../store/redis/cache-metrics.js";
import { openSharedCache } from "../store/redis/cache-open.js";
import type { Budgets } from "./budgets.js";
import type { Cleanup } from "./cleanup.js";
import type { Routing } from "./routing.js";

/** Limits on requests that are not yet in the config file. */
const MAX_EMBED_INPUTS = 2048;

export async function buildInference(
  config: Config,
  routing: Routing,
  budgets: Budgets,
  obs: Observability,
  logger: Logger,
  cleanup: Cleanup,
  models: ModelMetadata,
): Promise<Inference> {
  const log = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => logger.log(level, msg, fields);
  // [store] kind = "redis" with [cache] shared: a response cache tier shared by replicas (fails open).
  const sharedCache = await openSharedCache(config, log);
  if (sharedCache) cleanup.add(() => sharedCache.close());
  const c = config.cache;
  const s = config.server;
  const admission = new Admission({ maxInFlight: s.max_in_flight, maxQueued: s.max_queued, queueTimeoutMs: s.queue_timeout_ms, maxEventLoopDelayMs: s.max_event_loop_delay_ms });
  cleanup.add(() => admission.close());
  const inference = new Inference({
    router: routing.router,
    health: routing.health,
    latency: routing.latency,
    options: {
      fallback: config.router.fallback,
      maxAttempts: config.router.max_attempts,
      backoffMs: config.router.backoff_ms,
      backoffMaxMs: config.router.backoff_max_ms,
      maxRetryAfterMs: config.router.max_retry_after_ms,
      limits: { maxMessages: config.server.max_messages, maxEmbedInputs: MAX_EMBED_INPUTS },
      chargeCacheHits: c.charge_hits,
    },
    providerLimits: budgets.providerLimits,
    accounting: budgets.accounting,
    cache:
      c.mode === "off"
        ? undefined
        : new ResponseCache({
            mode: c.mode,
            scope: c.scope,
            maxBytes: c.max_bytes,
            defaultTtlSeconds: c.default_ttl_seconds,
            maxTtlSeconds: c.max_ttl_seconds,
            shared: sharedCache?.tier,
            sharedMaxEntryBytes: c.shared_max_entry_bytes,
          }),
    cacheHits: new CacheHitRecorder(budgets.ledger, (s) => budgets.accounting.recordUnreserved(s), log),
    semantic: semanticLookup(c, log),
    admission,
    window: new ContextWindow(models, (model) => budgets.accounting.tokenizer.counter(model), config.router.context_window),
  });
  if (sharedCache) registerSharedCacheMetrics(obs.metrics.registry, () => inference.cacheStats());
  cleanup.add(registerLoadMetrics(obs.metrics.registry, () => admission.load));
  return inference;
}
