/**
 * The rate windows for a [store] config: Redis (shared by the replicas) for
 * kind "redis", over the Redis budget store's connection; else memory. Memory
 * windows are kept per budget store instance, so a config reload that keeps
 * the store keeps its windows too.
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
    const [{ RedisRateWindows }, { RedisBudgetStore }] = await Promise.all([import("../../store/redis/rate-windows.js"), import("../../store/redis/budget-store.js")]);
    // The budget store's connection (same timeouts, same fail-closed behaviour): no second one.
    if (budgetStore instanceof RedisBudgetStore) return { windows: new RedisRateWindows(budgetStore.client, { prefix: store.prefix }), close: async () => {} };
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
