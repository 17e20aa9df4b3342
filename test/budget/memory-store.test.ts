import { describe, expect, it } from "vitest";

import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";
import { T0, appendRecord } from "./helpers.js";
import { describeBudgetStoreContract } from "./store-contract.js";

describeBudgetStoreContract("MemoryBudgetStore", () => new MemoryBudgetStore());

describe("MemoryBudgetStore specifics", () => {
  it("forgets finished reservations after the retention period", async () => {
    const store = new MemoryBudgetStore({ finishedRetentionMs: 1000 });
    await store.createPool("p", { capacityTokens: 10, period: "none" }, T0);
    const r = await store.reserve("p", { tokens: 1, usdMicros: 0 }, 60_000, T0);
    if (r.status !== "reserved") throw new Error("setup");
    await store.release(r.reservation.id, T0);
    await store.expire(T0 + 999);
    expect((await store.release(r.reservation.id, T0 + 999)).status).toBe("released");
    await store.expire(T0 + 1000);
    expect((await store.release(r.reservation.id, T0 + 1000)).status).toBe("unknown");
  });

  it("uses the injected id generator", async () => {
    let n = 0;
    const store = new MemoryBudgetStore({ newId: () => `r${++n}` });
    await store.createPool("p", { capacityTokens: 10, period: "none" }, T0);
    const r = await store.reserve("p", { tokens: 1, usdMicros: 0 }, 60_000, T0);
    expect(r.status === "reserved" && r.reservation.id).toBe("r1");
  });

  it("keeps only the newest usage records past its cap", async () => {
    const store = new MemoryBudgetStore({ maxUsageRecords: 10 });
    for (let t = 0; t < 25; t++) {
      await appendRecord(store, {
        time: t,
        pool: "p",
        reservationId: String(t),
        inputTokens: 0,
        cachedInputTokens: 0,
        outputTokens: 0,
        reasoningTokens: 0,
        audioTokens: 0,
        costUsdMicros: 0,
        provider: "",
        cacheHit: false,
      });
    }
    const times = (await store.queryUsage({})).map((r) => r.time);
    expect(times.length).toBeLessThanOrEqual(11);
    expect(times.at(-1)).toBe(24);
    expect(times[0]).toBeGreaterThanOrEqual(14);
  });
});
