/**
 * The rate windows for a [store] config: Redis (shared by the replicas) for
 * kind "redis", else memory. Memory windows are kept per budget store
 * instance, so a config reload that keeps the store keeps its windows too.
 */
import type { BudgetStore } from "../../store/budget-store.js";
import { MemoryRateWindows } from "./memory.js";
import type { RateWindows } from "./window.js";

export interface OpenedWindows {
  windows: RateWindows;
  close(): Promise<void>;
}

const memoryByStore = new WeakMap<BudgetStore, MemoryRateWindows>();

export async function openRateWindows(store: { kind: string; url?: string | undefined; prefix: string }, budgetStore: BudgetStore): Promise<OpenedWindows> {
  if (store.kind === "redis") {
    // Loaded only when configured, like the Redis budget store.
    const { RedisRateWindows } = await import("./redis.js");
    const windows = await RedisRateWindows.connect(store.url!, { prefix: store.prefix });
    return { windows, close: () => windows.close() };
  }
  let windows = memoryByStore.get(budgetStore);
  if (!windows) {
    windows = new MemoryRateWindows();
    memoryByStore.set(budgetStore, windows);
  }
  return { windows, close: async () => {} };
}
