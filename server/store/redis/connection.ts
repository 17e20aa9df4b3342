/**
 * The Redis connection for the budget store: one URL, bounded waits, no
 * offline queue. While Redis is unreachable every call fails at once (or after
 * the caller's reply bound for a Redis that stopped answering) instead of queueing;
 * the client keeps reconnecting in the background and calls succeed again once
 * it is back. A script whose reply was lost is never resent: it may have run.
 * The reply bound is not ioredis's commandTimeout (a timer that a saturated
 * event loop fires before reading replies that already arrived) but
 * deadline.ts's, applied by the callers (scripts.ts, the cache tier).
 */
import { Redis } from "ioredis";

export interface RedisConnectionOptions {
  /** Time to establish the TCP connection (ms). Default 2000. */
  readonly connectTimeoutMs?: number;
  /** Most time between reconnect attempts (ms). Default 2000. */
  readonly maxReconnectDelayMs?: number;
  /** Connection errors (the client keeps reconnecting); default: ignored (calls report them). */
  readonly onError?: (err: Error) => void;
}

export function createRedisClient(url: string, options: RedisConnectionOptions = {}): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`redis url: not a URL; use redis://HOST:PORT/DB`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new Error(`redis url: scheme ${JSON.stringify(parsed.protocol)} is not allowed; use redis:// or rediss://`);
  }
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, maxDelay),
    connectionName: "hoosh-budget",
  });
  client.on("error", options.onError ?? (() => {}));
  return client;
}
