// Opens the configured budget store ([store] kind = memory | sqlite | redis); a relative
// SQLite path is under the data dir, whose folders are made when missing.
// A store that cannot be opened stops startup with a config error naming the key.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config/index.js";
import { underDataDir, type DataDirEnv } from "../engines/data-dir.js";
import type { Config } from "../config/index.js";
import type { Outbox } from "../core/accounting/outbox.js";
import type { KeyStore } from "../core/keys/types.js";
import type { RequestLogStore } from "../core/requests/record.js";
import type { BudgetStore } from "./budget-store.js";
import { MemoryBudgetStore } from "./memory/budget-store.js";
import { MemoryKeyStore } from "./memory/key-store.js";
import { MemoryOutbox } from "./memory/outbox.js";
import { MemoryRequestLog } from "./memory/request-log.js";

export interface OpenedStore {
  store: BudgetStore;
  /** Where settlements wait while the store cannot take them: a file for SQLite and Redis (store.outbox_path). */
  outbox: Outbox;
  /** API keys and teams made at run time (KeysService), in the same store. */
  keys: KeyStore;
  /** The request log, in the same store. */
  requests: RequestLogStore;
  close(): Promise<void>;
}

/** `env` gives the data dir a relative store.path is under ($HOOSH_DATA_DIR). */
export async function openBudgetStore(config: Config["store"], source: string, env: DataDirEnv = process.env): Promise<OpenedStore> {
  try {
    switch (config.kind) {
      case "memory":
        return {
          store: new MemoryBudgetStore({ finishedRetentionMs: config.finished_retention_ms }),
          outbox: new MemoryOutbox(),
          keys: new MemoryKeyStore(),
          requests: new MemoryRequestLog(),
          close: async () => {},
        };
      // Loaded only when configured: the native SQLite module and the Redis client cost startup time.
      case "sqlite": {
        const [{ SqliteBudgetStore }, { SqliteKeyStore }, { SqliteRequestLog }] = await Promise.all([
          import("./sqlite/budget-store.js"),
          import("./sqlite/key-store.js"),
          import("./sqlite/request-log.js"),
        ]);
        const file = underDataDir(config.path!, env);
        mkdirSync(dirname(file), { recursive: true });
        const outbox = await openOutbox(config, env, file);
        // One file, one connection each (the budget store's opens and migrates it first).
        const store = SqliteBudgetStore.open(file, { finishedRetentionMs: config.finished_retention_ms });
        const keys = SqliteKeyStore.open(file);
        const requests = SqliteRequestLog.open(file);
        return { store, outbox, keys, requests, close: async () => (requests.close(), keys.close(), store.close(), outbox.close()) };
      }
      case "redis": {
        const [{ RedisBudgetStore }, { RedisKeyStore }, { RedisRequestLog }] = await Promise.all([
          import("./redis/budget-store.js"),
          import("./redis/key-store.js"),
          import("./redis/request-log.js"),
        ]);
        const outbox = await openOutbox(config, env, `${redisIdentity(config.url!)}#${config.prefix}`);
        const store = await RedisBudgetStore.connect(config.url!, {
          prefix: config.prefix,
          commandTimeoutMs: config.command_timeout_ms,
          finishedRetentionMs: config.finished_retention_ms,
        }).catch((err: unknown) => {
          outbox.close();
          throw err;
        });
        // Keys and the request log ride on the budget store's connection.
        const keys = new RedisKeyStore(store.client, config.prefix, config.command_timeout_ms);
        const requests = new RedisRequestLog(store.client, config.prefix, config.command_timeout_ms);
        return { store, outbox, keys, requests, close: async () => (await store.close(), outbox.close()) };
      }
    }
  } catch (err) {
    const key = config.kind === "sqlite" ? "store.path" : "store.url";
    throw new ConfigError(source, [{ path: key, message: `cannot open the ${config.kind} budget store: ${(err as Error).message}` }]);
  }
}

/** The outbox file (store.outbox_path, under the data dir), holding entries of the store named `identity`. */
async function openOutbox(config: Config["store"], env: DataDirEnv, identity: string): Promise<Outbox> {
  const { SqliteOutbox } = await import("./sqlite/outbox.js");
  const file = underDataDir(config.outbox_path, env);
  mkdirSync(dirname(file), { recursive: true });
  try {
    return new SqliteOutbox(file, identity);
  } catch (err) {
    throw new Error(`store.outbox_path: cannot open ${file}: ${(err as Error).message}`);
  }
}

/** A Redis URL without its credentials (the outbox file names the store it belongs to). */
function redisIdentity(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === "" ? "/0" : u.pathname}`;
}
