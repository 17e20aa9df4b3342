/**
 * Opens the response cache's shared tier when the config asks for one:
 * `[store] kind = "redis"` and `[cache] shared = true` (the default), cache not
 * off. Its own connection, apart from the budget store's: cache commands get a
 * short timeout (a slow cache lookup must not hold a request) while budget
 * scripts keep theirs. ioredis is loaded only when the tier is used.
 * A Redis that cannot be reached at startup does not stop startup (the budget
 * store decides that): the client keeps reconnecting, lookups miss meanwhile.
 */
import type { Config } from "../../config/index.js";
import type { SharedTier } from "../../core/cache/shared-tier.js";


export interface OpenedSharedCache {
  tier: SharedTier;
  close(): Promise<void>;
}

type Log = (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;

export async function openSharedCache(config: Pick<Config, "cache" | "store">, log: Log): Promise<OpenedSharedCache | undefined> {
  if (config.store.kind !== "redis" || !config.cache.shared || config.cache.mode === "off") return undefined;
  const [{ createRedisClient }, { RedisCacheTier }] = await Promise.all([import("./connection.js"), import("./cache-tier.js")]);
  const client = createRedisClient(config.store.url!, {
    connectTimeoutMs: 1000,
    maxReconnectDelayMs: 2000,
  });
  client.options.connectionName = "hoosh-cache";
  const tier = new RedisCacheTier(client, {
    prefix: config.store.prefix,
    timeoutMs: config.cache.shared_timeout_ms,
    onHealth: (ok, err) =>
      ok
        ? log("info", "shared response cache: redis answers again")
        : log("warn", "shared response cache: redis failed; serving from the local cache only until it answers", { error: err?.message }),
  });
  await client.connect().catch((err: Error) => log("warn", "shared response cache: cannot connect to redis yet; retrying in the background", { error: err.message }));
  return {
    tier,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
