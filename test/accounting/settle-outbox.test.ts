// Settle (core/accounting/settle.ts) over a real ledger and memory store behind a store that fails
// on demand: every settlement is applied exactly once whatever fails, whenever: a store that is
// down, a reply lost after the step ran, a process that stops with work in its outbox. The outbox
// retries with exponential backoff; a failure that retrying cannot mend is logged as lost.
import { Code } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Outbox, OutboxEntry } from "../../server/core/accounting/outbox.js";
import { Settle, type LogFn } from "../../server/core/accounting/settle.js";
import { BudgetLedger, type Settlement } from "../../server/core/budget/ledger.js";
import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";
import { MemoryOutbox } from "../../server/store/memory/outbox.js";
import { FlakyStore } from "./flaky-store.js";

const T0 = Date.UTC(2026, 0, 1);
let store: FlakyStore;
let ledger: BudgetLedger;
let outbox: MemoryOutbox;
let logs: { level: string; msg: string; fields: Record<string, unknown> }[];
const log: LogFn = (level, msg, fields) => void logs.push({ level, msg, fields });
let settle: Settle;
let ids = 0;

function settlement(pool: string, tokens: number, over: Partial<Settlement> = {}): Settlement {
  const id = `s${++ids}`;
  return {
    chargeId: `charge-${id}`,
    pool,
    amount: { tokens, usdMicros: tokens * 2 },
    record: { time: T0, inputTokens: tokens - 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, audioTokens: 0, costUsdMicros: tokens * 2, provider: "p", cacheHit: false, requestId: id },
    ...over,
  };
}

async function reserved(pool: string, tokens: number): Promise<Settlement> {
  const r = await ledger.reserve(pool, { tokens, usdMicros: 0 });
  return settlement(pool, tokens, { reservationId: r.reservationId, chargeId: `late:${r.reservationId}` });
}

const pool = async (name = "p") => {
  const p = await ledger.getPool(name);
  return { used: p.usedTokens, usd: p.usedUsdMicros, reserved: p.reservedTokens };
};
const records = async (name = "p") => (await store.inner.queryUsage({ pool: name })).map((r) => [r.reservationId, r.inputTokens + r.outputTokens]);
const messages = () => logs.map((l) => `${l.level}: ${l.msg}`);

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "Date"], now: T0 });
  store = new FlakyStore(new MemoryBudgetStore());
  ledger = new BudgetLedger(store, () => Date.now());
  outbox = new MemoryOutbox();
  logs = [];
  settle = new Settle(ledger, outbox, log, { retryMinMs: 100, retryMaxMs: 1000 });
  await ledger.createPool("p", { capacityTokens: 1000, period: "none" });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("apply (a reserved request)", () => {
  it("commits the reservation with its record in one step; the fallback charge id is never used", async () => {
    const s = await reserved("p", 10);
    await settle.apply(s);
    expect(await pool()).toEqual({ used: 10, usd: 20, reserved: 0 });
    expect(await records()).toEqual([[s.reservationId, 10]]);
    expect(outbox.count()).toBe(0);
    expect(logs).toEqual([]);
    // A second apply (a retry) changes nothing.
    await settle.apply(s);
    expect(await pool()).toEqual({ used: 10, usd: 20, reserved: 0 });
    expect(await records()).toHaveLength(1);
  });

  it("a reply lost after the commit ran: kept in the outbox, retried, charged once", async () => {
    const s = await reserved("p", 10);
    store.fail("commit", 1, "lost");
    await settle.apply(s);
    expect(outbox.list(10).map((e) => e.settlement)).toEqual([s]);
    expect(messages()).toEqual(["warn: budget store unavailable; usage kept in the outbox and retried until the store takes it"]);
    expect(logs[0]!.fields).toEqual({ settlements: 1, error: "budget store unavailable: injected lost on commit" });
    await vi.advanceTimersByTimeAsync(100);
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 10, usd: 20, reserved: 0 });
    expect(await records()).toEqual([[s.reservationId, 10]]);
    expect(store.calls.commit).toBe(2);
    expect(store.calls.charge ?? 0).toBe(0);
  });

  it("a store that is down: retried with a doubling backoff (100, 200, 400 ms, then capped at 1 s) until it takes it", async () => {
    const s = await reserved("p", 10);
    store.fail("commit", 5, "down");
    await settle.apply(s);
    const commitsAt = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return store.calls.commit;
    };
    expect(store.calls.commit).toBe(1);
    expect(await commitsAt(99)).toBe(1);
    expect(await commitsAt(1)).toBe(2); // +100
    expect(await commitsAt(199)).toBe(2);
    expect(await commitsAt(1)).toBe(3); // +200
    expect(await commitsAt(399)).toBe(3);
    expect(await commitsAt(1)).toBe(4); // +400
    expect(await commitsAt(799)).toBe(4);
    expect(await commitsAt(1)).toBe(5); // +800
    expect(await commitsAt(999)).toBe(5);
    expect(await commitsAt(1)).toBe(6); // +1000 (capped), and it went through
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 10, usd: 20, reserved: 0 });
    // After a success the backoff starts over.
    const t = await reserved("p", 5);
    store.fail("commit", 2, "down");
    await settle.apply(t);
    expect(await commitsAt(100)).toBe(8);
    expect(outbox.count()).toBe(1);
    expect(await commitsAt(200)).toBe(9);
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 15, usd: 30, reserved: 0 });
  });

  it("a reservation that expired is charged by its fixed charge id, and says so", async () => {
    const r = await ledger.reserve("p", { tokens: 10, usdMicros: 0 }, 1000);
    const s = settlement("p", 12, { reservationId: r.reservationId, chargeId: `late:${r.reservationId}` });
    vi.setSystemTime(T0 + 1000);
    await settle.apply(s);
    await settle.apply(s);
    expect(await pool()).toEqual({ used: 12, usd: 24, reserved: 0 });
    expect(await records()).toEqual([[`late:${r.reservationId}`, 12]]);
    expect(logs).toEqual([
      {
        level: "warn",
        msg: "the reservation was gone (expired); its usage was charged without it",
        fields: { pool: "p", reservation_id: r.reservationId, charge_id: `late:${r.reservationId}`, tokens: 12, usd_micros: 24 },
      },
    ]);
  });

  it("an expired reservation's charge whose reply was lost: retried, charged once", async () => {
    const r = await ledger.reserve("p", { tokens: 10, usdMicros: 0 }, 1000);
    const s = settlement("p", 12, { reservationId: r.reservationId, chargeId: `late:${r.reservationId}` });
    vi.setSystemTime(T0 + 1000);
    store.fail("charge", 1, "lost");
    await settle.apply(s);
    expect(outbox.count()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(outbox.count()).toBe(0);
    expect(store.calls.charge).toBe(2);
    expect(await pool()).toEqual({ used: 12, usd: 24, reserved: 0 });
    expect(await records()).toEqual([[`late:${r.reservationId}`, 12]]);
  });

  it("a failure retrying cannot mend (an error reply) is logged as lost with its amounts, not kept", async () => {
    const s = await reserved("p", 10);
    store.fail("commit", 1, "down", Code.Internal);
    await settle.apply(s);
    expect(outbox.count()).toBe(0);
    expect(logs).toEqual([
      {
        level: "error",
        msg: "usage lost: the budget store failed: budget store unavailable: injected down on commit",
        fields: { pool: "p", reservation_id: s.reservationId, charge_id: s.chargeId, tokens: 10, usd_micros: 20 },
      },
    ]);
  });

  it("an outbox that cannot keep it: logged as lost", async () => {
    const s = await reserved("p", 10);
    store.fail("commit", 1, "down");
    const broken: Outbox = { durable: true, add: () => { throw new Error("disk full"); }, remove: () => {}, list: () => [], count: () => 0, close: () => {} };
    await new Settle(ledger, broken, log).apply(s);
    expect(messages()).toEqual(["error: usage lost: the budget store is unavailable and the outbox failed: disk full"]);
  });
});

describe("record (requests without a reservation)", () => {
  it("settles the requests of one turn in one store step, capped per step", async () => {
    const small = new Settle(ledger, outbox, log, { maxBatch: 2 });
    const list = [1, 2, 3, 4, 5].map((n) => settlement(n % 2 ? "p" : "", n));
    const done = Promise.all(list.map((s) => small.record(s)));
    expect(store.calls.charge ?? 0).toBe(0); // nothing before the turn ends
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(store.calls.charge).toBe(3);
    expect(await pool()).toEqual({ used: 1 + 3 + 5, usd: 18, reserved: 0 });
    expect((await store.inner.queryUsage({})).map((r) => [r.pool, r.reservationId])).toEqual(list.map((s) => [s.pool, s.chargeId]));
    expect(logs).toEqual([]);
  });

  it("a batch whose reply was lost goes to the outbox whole and is applied once", async () => {
    const list = [settlement("p", 3), settlement("", 4), settlement("p", 5)];
    store.fail("charge", 1, "lost");
    const done = Promise.all(list.map((s) => settle.record(s)));
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(outbox.list(10).map((e) => e.settlement.chargeId)).toEqual(list.map((s) => s.chargeId));
    await vi.advanceTimersByTimeAsync(100);
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 8, usd: 16, reserved: 0 });
    expect(await store.inner.queryUsage({})).toHaveLength(3);
  });

  it("a pool that no longer exists keeps the record and says so; no pool says nothing", async () => {
    const gone = settlement("gone", 3);
    const none = settlement("", 4);
    const done = Promise.all([settle.record(gone), settle.record(none)]);
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(messages()).toEqual(["error: the budget pool no longer exists; the usage is kept in the usage log only"]);
    expect(logs[0]!.fields).toMatchObject({ pool: "gone", tokens: 3 });
    expect((await store.inner.queryUsage({})).map((r) => r.pool)).toEqual(["gone", ""]);
  });
});

describe("the outbox across processes and at close", () => {
  it("start() settles what an earlier process left, oldest first, stopping at the first failure", async () => {
    const a = await reserved("p", 1);
    const b = settlement("p", 2);
    const c = settlement("p", 3);
    for (const [s, at] of [[c, T0 + 3], [a, T0 + 1], [b, T0 + 2]] as const) outbox.add({ settlement: s, addedAt: at });
    store.fail("charge", 1, "down"); // b fails first: c waits behind it
    settle.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.list(10).map((e) => e.settlement.chargeId)).toEqual([b.chargeId, c.chargeId]);
    expect(await pool()).toEqual({ used: 1, usd: 2, reserved: 0 });
    await vi.advanceTimersByTimeAsync(200);
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 6, usd: 12, reserved: 0 });
    expect((await store.inner.queryUsage({})).map((r) => r.reservationId)).toEqual([a.reservationId, b.chargeId, c.chargeId]);
  });

  it("gives up an entry older than maxAgeMs (logged as lost) without trying it", async () => {
    const old = settlement("p", 2);
    outbox.add({ settlement: old, addedAt: T0 - 1001 });
    outbox.add({ settlement: settlement("p", 3), addedAt: T0 - 1000 });
    const aged = new Settle(ledger, outbox, log, { maxAgeMs: 1000 });
    aged.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 3, usd: 6, reserved: 0 });
    expect(messages()).toEqual(["error: usage lost: the budget store did not take it for 0 hours"]);
  });

  it("close(): one last pass; a memory outbox reports what it still holds as lost, a durable one keeps it", async () => {
    const s = await reserved("p", 10);
    store.down("commit");
    await settle.apply(s);
    await settle.close();
    expect(messages()).toContain("error: usage lost: hoosh stopped before the budget store came back");
    const durable: Outbox & { entries: OutboxEntry[] } = {
      durable: true,
      entries: [],
      add(e) { this.entries.push(e); },
      remove(id) { this.entries = this.entries.filter((e) => e.settlement.chargeId !== id); },
      list(limit) { return this.entries.slice(0, limit); },
      count() { return this.entries.length; },
      close() {},
    };
    logs = [];
    const keeping = new Settle(ledger, durable, log);
    await keeping.apply(await reserved("p", 5));
    await keeping.close();
    expect(durable.count()).toBe(1);
    expect(messages()).toEqual(["warn: budget store unavailable; usage kept in the outbox and retried until the store takes it"]);
    // And nothing runs after close.
    store.heal();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(durable.count()).toBe(1);
  });

  it("a failure while a pass runs is looked at after that pass", async () => {
    const first = await reserved("p", 1);
    store.fail("commit", 1, "down");
    await settle.apply(first);
    // The retry pass is slow: a second failure comes in while it runs.
    let finish!: () => void;
    const slow = new Promise<void>((r) => (finish = r));
    const commit = store.commit;
    store.commit = async (...a) => {
      await slow;
      return commit(...a);
    };
    await vi.advanceTimersByTimeAsync(100);
    store.commit = commit;
    const second = await reserved("p", 2);
    store.fail("commit", 1, "down");
    await settle.apply(second);
    await vi.advanceTimersByTimeAsync(100);
    finish();
    await vi.advanceTimersByTimeAsync(400);
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 3, usd: 6, reserved: 0 });
    // One pass at a time: the two failed applies, then the running pass commits both entries once each.
    expect(store.calls.commit).toBe(4);
  });

  it("an outbox entry that fails with an error reply is logged as lost and dropped; the pass goes on", async () => {
    const bad = settlement("p", 2);
    const good = settlement("p", 3);
    outbox.add({ settlement: bad, addedAt: T0 });
    outbox.add({ settlement: good, addedAt: T0 + 1 });
    store.fail("charge", 1, "down", Code.Internal);
    settle.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.count()).toBe(0);
    expect(await pool()).toEqual({ used: 3, usd: 6, reserved: 0 });
    expect(messages()).toEqual(["error: usage lost: the budget store failed: budget store unavailable: injected down on charge"]);
  });

  it("default timings: first retry after 100 ms; entries kept for 7 days", async () => {
    const plain = new Settle(ledger, outbox, log);
    const s = await reserved("p", 10);
    store.fail("commit", 1, "down");
    await plain.apply(s);
    await vi.advanceTimersByTimeAsync(99);
    expect(store.calls.commit).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls.commit).toBe(2);
    const week = 7 * 24 * 3_600_000;
    outbox.add({ settlement: settlement("p", 1), addedAt: Date.now() - week });
    outbox.add({ settlement: settlement("p", 2), addedAt: Date.now() - week - 1 });
    plain.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(await pool()).toEqual({ used: 11, usd: 22, reserved: 0 });
    expect(messages().filter((m) => m.startsWith("error"))).toEqual(["error: usage lost: the budget store did not take it for 168 hours"]);
  });

  it("a later turn starts a new group: nothing recorded after a flush is left behind", async () => {
    const first = settle.record(settlement("p", 1));
    await vi.advanceTimersByTimeAsync(0);
    await first;
    const second = settle.record(settlement("p", 2));
    await vi.advanceTimersByTimeAsync(0);
    await second;
    expect(store.calls.charge).toBe(2);
    expect(await pool()).toEqual({ used: 3, usd: 6, reserved: 0 });
  });

  it("release: a failure is logged, never thrown", async () => {
    const r = await ledger.reserve("p", { tokens: 10, usdMicros: 0 });
    store.fail("release", 1, "down");
    await expect(settle.release(r.reservationId)).resolves.toBeUndefined();
    expect(logs).toEqual([
      { level: "warn", msg: "budget release failed; the hold stays until it expires", fields: { reservation_id: r.reservationId, error: "[unavailable] budget store unavailable: injected down on release" } },
    ]);
    await settle.release(r.reservationId);
    expect(await pool()).toEqual({ used: 0, usd: 0, reserved: 0 });
  });
});
