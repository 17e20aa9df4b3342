import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

import { SCHEMA_VERSION } from "../../server/store/sqlite/schema.js";
import { SqliteBudgetStore } from "../../server/store/sqlite/budget-store.js";
import { T0, appendRecord } from "./helpers.js";
import { describeBudgetStoreContract } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "hoosh-sqlite-store-"));
const opened: SqliteBudgetStore[] = [];
let files = 0;
function open(file = join(dir, `s${++files}.db`), options = {}): SqliteBudgetStore {
  const store = SqliteBudgetStore.open(file, options);
  opened.push(store);
  return store;
}
afterAll(() => {
  for (const s of opened) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describeBudgetStoreContract("SqliteBudgetStore", () => open());

describe("SqliteBudgetStore specifics", () => {
  it("keeps pools, holds and usage across close and reopen", async () => {
    const file = join(dir, "reopen.db");
    const a = open(file);
    await a.createPool("p", { capacityTokens: 100, capacityUsdMicros: 9, period: "daily" }, T0);
    const r = await a.reserve("p", { tokens: 30, usdMicros: 2 }, 60_000, T0);
    const c = await a.reserve("p", { tokens: 5, usdMicros: 0 }, 60_000, T0);
    if (r.status !== "reserved" || c.status !== "reserved") throw new Error("setup");
    await a.commit(c.reservation.id, { tokens: 7, usdMicros: 1 }, T0);
    await appendRecord(a, { time: T0, pool: "p", reservationId: c.reservation.id, inputTokens: 3, cachedInputTokens: 1,
      outputTokens: 4, reasoningTokens: 0, audioTokens: 0, costUsdMicros: 1, provider: "x", cacheHit: true, model: "m" });
    a.close();
    const b = open(file);
    expect(await b.getPool("p", T0)).toMatchObject({ usedTokens: 7, reservedTokens: 30, usedUsdMicros: 1, reservedUsdMicros: 2 });
    expect(await b.queryUsage({ pool: "p" })).toEqual([expect.objectContaining({ cacheHit: true, model: "m", key: undefined })]);
    expect(await b.release(c.reservation.id, T0)).toMatchObject({ status: "committed" });
    expect(await b.commit(r.reservation.id, { tokens: 1, usdMicros: 0 }, T0)).toMatchObject({ status: "done" });
  });

  it("uses WAL, the chosen synchronous level and the current schema version", () => {
    const file = join(dir, "pragmas.db");
    open(file, { synchronous: "full" }).close();
    open(file).close(); // a second open migrates nothing
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("refuses a file from a newer schema", () => {
    const file = join(dir, "newer.db");
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => open(file)).toThrow(/newer than this hoosh knows/);
  });

  it("forgets finished reservations after the retention period", async () => {
    const store = open(undefined, { finishedRetentionMs: 1000 });
    await store.createPool("p", { capacityTokens: 10, period: "none" }, T0);
    const r = await store.reserve("p", { tokens: 1, usdMicros: 0 }, 60_000, T0);
    if (r.status !== "reserved") throw new Error("setup");
    await store.release(r.reservation.id, T0);
    await store.expire(T0 + 999);
    expect((await store.release(r.reservation.id, T0 + 999)).status).toBe("released");
    await store.expire(T0 + 1000);
    expect((await store.release(r.reservation.id, T0 + 1000)).status).toBe("unknown");
  });

  it("rolls a failed step back whole", async () => {
    let n = 0;
    const store = open(undefined, { newId: () => (++n === 2 ? "dup" : n === 3 ? "dup" : `r${n}`) });
    await store.createPool("p", { capacityTokens: 100, period: "none" }, T0);
    await store.reserve("p", { tokens: 1, usdMicros: 0 }, 60_000, T0);
    await store.reserve("p", { tokens: 2, usdMicros: 0 }, 60_000, T0);
    await expect(store.reserve("p", { tokens: 4, usdMicros: 0 }, 60_000, T0)).rejects.toThrow(/UNIQUE/);
    expect(await store.getPool("p", T0)).toMatchObject({ reservedTokens: 3 });
  });

  it("answers Unavailable once closed", async () => {
    const store = open();
    store.close();
    await expect(store.getPool("p", T0)).rejects.toMatchObject({ code: 14, rawMessage: /^budget store unavailable: / });
  });
});
