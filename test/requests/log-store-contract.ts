// What every RequestLogStore (memory, SQLite, Redis) must do: newest first, exact filters (status
// "error" = every failure), cursor pages that neither repeat nor skip (also within one ms), and
// retention by age and by row count dropping the oldest.
import { describe, expect, it } from "vitest";
import type { RequestLogStore, RequestRecord, StoredRequest } from "../../server/core/requests/record.js";

export const T0 = Date.UTC(2026, 0, 10, 12);

export function record(i: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    time: T0 + Math.floor(i / 3), // three records per millisecond: the cursor's seq must order them
    requestId: `r${i}`,
    keyId: i % 2 === 0 ? "k-even" : "k-odd",
    team: i % 2 === 0 ? "blue" : undefined,
    edge: "grpc",
    operation: "chat",
    model: i % 5 === 0 ? "m-five" : "m-other",
    servedModel: "served",
    provider: i % 3 === 0 ? "p3" : "p",
    attempts: 1,
    status: i % 7 === 0 ? "UNAVAILABLE" : "OK",
    inputTokens: i,
    cachedInputTokens: 0,
    outputTokens: 2 * i,
    reasoningTokens: 0,
    costUsdMicros: 10 * i,
    latencyMs: 1.5,
    cacheHit: i % 4 === 0,
    stream: false,
    ...over,
  };
}

async function all(store: RequestLogStore, q: Omit<Parameters<RequestLogStore["list"]>[0], "limit" | "after">, limit: number): Promise<StoredRequest[]> {
  const out: StoredRequest[] = [];
  let after;
  for (let pages = 0; ; pages++) {
    if (pages > 1000) throw new Error("pagination does not end");
    const page = await store.list({ ...q, limit, after });
    out.push(...page.records);
    if (!page.next) return out;
    after = page.next;
  }
}

export function describeRequestLogStoreContract(name: string, fresh: () => Promise<RequestLogStore> | RequestLogStore): void {
  describe(`${name}: request log store contract`, () => {
    it("lists newest first, in pages that neither repeat nor skip", async () => {
      const store = await fresh();
      await store.append(Array.from({ length: 50 }, (_, i) => record(i)));
      const ids = (await all(store, {}, 7)).map((r) => r.requestId);
      expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `r${49 - i}`));
    });

    it("filters exactly: key, team, model, provider, status (error = any failure), time range", async () => {
      const store = await fresh();
      const records = Array.from({ length: 60 }, (_, i) => record(i));
      await store.append(records);
      const expectIds = async (q: Parameters<typeof all>[1], keep: (r: RequestRecord) => boolean) =>
        expect((await all(store, q, 4)).map((r) => r.requestId)).toEqual(records.filter(keep).map((r) => r.requestId).reverse());
      await expectIds({ keyId: "k-odd" }, (r) => r.keyId === "k-odd");
      await expectIds({ team: "blue" }, (r) => r.team === "blue");
      await expectIds({ model: "m-five" }, (r) => r.model === "m-five");
      await expectIds({ provider: "p3" }, (r) => r.provider === "p3");
      await expectIds({ status: "error" }, (r) => r.status !== "OK");
      await expectIds({ status: "OK", keyId: "k-even" }, (r) => r.status === "OK" && r.keyId === "k-even");
      await expectIds({ start: T0 + 5, end: T0 + 10 }, (r) => r.time >= T0 + 5 && r.time < T0 + 10);
      await expectIds({ model: "m-five", start: T0 + 3 }, (r) => r.model === "m-five" && r.time >= T0 + 3);
    });

    it("keeps every field of a record", async () => {
      const store = await fresh();
      const r = record(1, { team: "blue", ttftMs: 12.5, prompt: "p", answer: "a", error: "boom", budgetPool: "key:x", stream: true, reasoningTokens: 3, cachedInputTokens: 2 });
      await store.append([r]);
      const [got] = (await store.list({ limit: 10 })).records;
      expect(got).toMatchObject(r);
    });

    it("retention drops records older than the cut-off, then the oldest beyond max rows", async () => {
      const store = await fresh();
      await store.append(Array.from({ length: 30 }, (_, i) => record(i)));
      // record(i).time = T0 + floor(i/3): before T0+2 drops r0..r5.
      expect(await store.prune(T0 + 2, 1_000_000)).toBe(6);
      expect((await all(store, {}, 100)).map((r) => r.requestId).at(-1)).toBe("r6");
      expect(await store.prune(0, 10)).toBe(14);
      expect((await all(store, {}, 100)).map((r) => r.requestId)).toEqual(Array.from({ length: 10 }, (_, i) => `r${29 - i}`));
      expect(await store.prune(0, 10)).toBe(0);
    });
  });
}
