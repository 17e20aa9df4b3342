/**
 * Prometheus counters of the shared response-cache tier, on the app's registry.
 * Read from the cache's own counts at scrape time, so the request path pays
 * nothing for them (GetCacheStats has no fields for them: proto unchanged).
 */
import { Counter, type Registry } from "prom-client";

export interface SharedCacheCounts {
  sharedHits: number;
  sharedErrors: number;
}

export function registerSharedCacheMetrics(registry: Registry, counts: () => SharedCacheCounts | undefined): void {
  const counter = (name: string, help: string, read: (c: SharedCacheCounts) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(counts() ?? { sharedHits: 0, sharedErrors: 0 }));
      },
    });
  counter("hoosh_cache_shared_hits_total", "Response cache lookups answered by the shared (Redis) tier after a local miss.", (c) => c.sharedHits);
  counter("hoosh_cache_shared_errors_total", "Shared cache tier lookups and stores that failed or timed out (served as misses).", (c) => c.sharedErrors);
}
