// Opens the configured budget store ([store] kind = memory | sqlite | redis); a relative
// SQLite path is under the data dir, whose folders are made when missing.
// A store that cannot be opened stops startup with a config error naming the key.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config/index.js";
import { underDataDir, type DataDirEnv } from "../engines/data-dir.js";
import type { Config } from "../config/index.js";
import type { BudgetStore } from "./budget-store.js";
import { MemoryBudgetStore } from "./memory/budget-store.js";

export interface OpenedStore {
  store: BudgetStore;
  close(): Promise<void>;
}

/** `env` gives the data dir a relative store.path is under ($HOOSH_DATA_DIR). */
export async function openBudgetStore(config: Config["store"], source: string, env: DataDirEnv = process.env): Promise<OpenedStore> {
  try {
    switch (config.kind) {
      case "memory":
        return { store: new MemoryBudgetStore(), close: async () => {} };
      // Loaded only when configured: the native SQLite module and the Redis client cost startup time.
      case "sqlite": {
        const { SqliteBudgetStore } = await import("./sqlite/budget-store.js");
        const file = underDataDir(config.path!, env);
        mkdirSync(dirname(file), { recursive: true });
        const store = SqliteBudgetStore.open(file);
        return { store, close: async () => store.close() };
      }
      case "redis": {
        const { RedisBudgetStore } = await import("./redis/budget-store.js");
        const store = await RedisBudgetStore.connect(config.url!, { prefix: config.prefix });
        return { store, close: () => store.close() };
      }
    }
  } catch (err) {
    const key = config.kind === "sqlite" ? "store.path" : "store.url";
    throw new ConfigError(source, [{ path: key, message: `cannot open the ${config.kind} budget store: ${(err as Error).message}` }]);
  }
}
