// Opens the configured budget store ([store] kind = memory | sqlite | redis); a relative
// SQLite path is under the data dir, whose folders are made when missing.
// A store that cannot be opened stops startup with a config error naming the key.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config/index.js";
import { underDataDir, type DataDirEnv } from "../engines/data-dir.js";
import type { Config } from "../config/index.js";
import type { Outbox } from "../core/accounting/outbox.js";
import type { BudgetStore } from "./budget-store.js";
import { MemoryBudgetStore } from "./memory/budget-store.js";
import { MemoryOutbox } from "./memory/outbox.js";

export interface OpenedStore {
  store: BudgetStore;
  /** Where settlements wait while the store cannot take them: a file for SQLite and Redis (store.outbox_path). */
  outbox: Outbox;
  close(): Promise<void>;
}

/** `env` gives the data dir a relative store.path is under ($HOOSH_DATA_DIR). */
export async function openBudgetStore(config: Config["store"], source: string, env: DataDirEnv = process.env): Promise<OpenedStore> {
  try {
    switch (config.kind) {
      case "memory":
        return { store: new MemoryBudgetStore({ finishedRetentionMs: config.finished_retention_ms }), outbox: new MemoryOutbox(), close: async () => {} };
      // Loaded only when configured: the native SQLite module and the Redis client cost startup time.
      case "sqlite": {
        const { SqliteBudgetStore } = await import("./sqlite/budget-store.js");
        const file = underDataDir(config.path!, env);
        mkdirSync(dirname(file), { recursive: true });
        const outbox = await openOutbox(config, env, file);
        const store = SqliteBudgetStore.open(file, { finishedRetentionMs: config.finished_retention_ms });
        return { store, outbox, close: async () => (store.close(), outbox.close()) };
      }
      case "redis": {
        const { RedisBudgetStore } = await import("./redis/budget-store.js");
        const outbox = await openOutbox(config, env, `${redisIdentity(config.url!)}#${config.prefix}`);
        const store = await RedisBudgetStore.connect(config.url!, {
          prefix: config.prefix,
          commandTimeoutMs: config.command_timeout_ms,
          finishedRetentionMs: config.finished_retention_ms,
        }).catch((err: unknown) => {
          outbox.close();
          throw err;
        });
        return { store, outbox, close: async () => (await store.close(), outbox.close()) };
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
