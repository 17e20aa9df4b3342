// KeyDirectory (auth/directory.ts): authenticating a request asks the key store nothing (the keys
// are in memory); a refresh reads the change counter and loads only what changed; an unreachable
// store keeps the known keys working and is reported once; last-use times go out in one batch.
import { describe, expect, it, vi } from "vitest";
import { KeyDirectory } from "../../server/auth/directory.js";
import { hashKey } from "../../server/core/keys/secret.js";
import type { KeyStore, StoredKey } from "../../server/core/keys/types.js";
import { MemoryKeyStore } from "../../server/store/memory/key-store.js";
import { storedKey, T } from "./records.js";

const secret = (id: string) => `hk_dir_${id}_0123456789abcdef`;
const stored = (id: string, over: Partial<StoredKey> = {}): StoredKey => storedKey(id, hashKey(secret(id)), over);

/** A MemoryKeyStore that counts the calls of each method and can be made to fail. */
function counted(inner = new MemoryKeyStore()): { store: KeyStore; calls: Map<string, number[]>; fail: { on: boolean }; inner: MemoryKeyStore } {
  const calls = new Map<string, number[]>();
  const fail = { on: false };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const name = String(prop);
        calls.set(name, [...(calls.get(name) ?? []), typeof args[0] === "number" ? args[0] : NaN]);
        if (fail.on) return Promise.reject(new Error("store down"));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as KeyStore;
  return { store, calls, fail, inner };
}

const total = (calls: Map<string, number[]>) => [...calls.values()].reduce((n, c) => n + c.length, 0);
// No timer fires during a test: refreshes are called by hand.
const QUIET = { pollMs: 3_600_000, touchMs: 3_600_000, now: () => T };

describe("KeyDirectory", () => {
  it("authenticates from memory: 1,000 lookups make no store call", async () => {
    const { store, calls, inner } = counted();
    for (let i = 0; i < 100; i++) await inner.createKey(stored(`k${i}`));
    const directory = new KeyDirectory([], store, QUIET);
    await directory.start();
    const before = total(calls);
    for (let i = 0; i < 1000; i++) expect(directory.lookup(secret(`k${i % 100}`))).toMatchObject({ kind: "ok", key: { id: `k${i % 100}` } });
    expect(directory.lookup("hk_dir_unknown_0123456789abcdef").kind).toBe("invalid");
    expect(total(calls)).toBe(before);
    await directory.close();
  });

  it("a refresh reads the counter, then only the changes since the version it has", async () => {
    const { store, calls, inner } = counted();
    await inner.createKey(stored("a"));
    const directory = new KeyDirectory([], store, QUIET);
    await directory.start();
    const known = await inner.version();
    expect(calls.get("changes")).toEqual([0]);

    // Nothing changed: one counter read, no load.
    await directory.refresh();
    expect(calls.get("version")?.length).toBe(2);
    expect(calls.get("changes")).toEqual([0]);

    await inner.createKey(stored("b"));
    expect(directory.lookup(secret("b")).kind).toBe("invalid"); // not seen before the refresh
    await directory.refresh();
    expect(calls.get("changes")).toEqual([0, known]);
    expect(directory.lookup(secret("b"))).toMatchObject({ kind: "ok", key: { id: "b" } });

    // A revocation and a rotation arrive the same way.
    const a = (await inner.getKey("a"))!;
    const { version, ...rest } = a;
    await inner.replaceKey({ ...rest, revokedAt: T - 1 }, version);
    await directory.refresh();
    expect(directory.lookup(secret("a"))).toEqual({ kind: "revoked", id: "a", at: T - 1 });
    expect(directory.enabled).toBe(true);
    await directory.close();
  });

  it("concurrent refreshes share one poll", async () => {
    const { store, calls } = counted();
    const directory = new KeyDirectory([], store, QUIET);
    await directory.start();
    const reads = calls.get("version")!.length;
    await Promise.all([directory.refresh(), directory.refresh(), directory.refresh()]);
    expect(calls.get("version")!.length).toBe(reads + 1);
    await directory.close();
  });

  it("an unreachable store: known keys keep working, reported once, and again when it is back", async () => {
    const { store, fail, inner } = counted();
    await inner.createKey(stored("a"));
    const logged: string[] = [];
    const directory = new KeyDirectory([], store, { ...QUIET, log: (level, msg) => logged.push(`${level}: ${msg}`) });
    await directory.start();
    fail.on = true;
    await expect(directory.refresh()).rejects.toThrow("store down");
    await expect(directory.refresh()).rejects.toThrow("store down");
    expect(directory.lookup(secret("a")).kind).toBe("ok");
    expect(logged).toEqual(["warn: cannot read the API key store; keys made at run time may be stale"]);
    fail.on = false;
    await inner.createKey(stored("b"));
    await directory.refresh();
    expect(directory.lookup(secret("b")).kind).toBe("ok");
    expect(logged.at(-1)).toBe("warn: API key store reachable again; keys are current");
    expect(logged.length).toBe(2);
    await directory.close();
  });

  it("notes last use in memory and writes it in one batch; a failed write is logged, not thrown", async () => {
    const { store, calls, fail, inner } = counted();
    await inner.createKey(stored("a"));
    await inner.createKey(stored("b"));
    const logged: string[] = [];
    const directory = new KeyDirectory([], store, { ...QUIET, log: (_l, msg) => logged.push(msg) });
    await directory.start();
    directory.lookup(secret("a"));
    directory.lookup(secret("a"));
    directory.lookup(secret("b"));
    expect(directory.pendingUse("a")).toBe(T);
    expect(calls.get("touch")).toBeUndefined();
    await directory.flushUsed();
    expect(calls.get("touch")?.length).toBe(1);
    expect(await inner.lastUsed()).toEqual(new Map([["a", T], ["b", T]]));
    expect(directory.pendingUse("a")).toBeUndefined();
    await directory.flushUsed(); // nothing noted since: no write
    expect(calls.get("touch")?.length).toBe(1);

    directory.lookup(secret("a"));
    fail.on = true;
    await directory.flushUsed();
    expect(logged).toEqual(["could not write API keys' last-use times"]);
    fail.on = false;
    await directory.close();
  });

  it("expiry at the exact millisecond: a key's, and a previous secret's after rotation", async () => {
    const store = new MemoryKeyStore();
    await store.createKey(stored("e", { expiresAt: T + 10 }));
    await store.createKey(stored("r", { hash: hashKey(secret("r-new")), previousHash: hashKey(secret("r")), previousHashExpiresAt: T + 20 }));
    let now = T + 9;
    const directory = new KeyDirectory([], store, { ...QUIET, now: () => now });
    await directory.start();
    expect(directory.lookup(secret("e")).kind).toBe("ok");
    now = T + 10;
    expect(directory.lookup(secret("e"))).toEqual({ kind: "expired", id: "e", at: T + 10 });
    now = T + 19;
    expect(directory.lookup(secret("r")).kind).toBe("ok");
    expect(directory.lookup(secret("r-new")).kind).toBe("ok");
    now = T + 20;
    expect(directory.lookup(secret("r"))).toEqual({ kind: "expired", id: "r", at: T + 20, previous: true });
    expect(directory.lookup(secret("r-new")).kind).toBe("ok");
    expect(directory.lookup(undefined).kind).toBe("missing");
    await directory.close();
  });

  it("changes replace what they change: a rotation drops the old secret, a revocation the key and its previous secret", async () => {
    const store = new MemoryKeyStore();
    await store.createTeam({ name: "crew", limits: { rpm: 5, maxConcurrent: 2 }, metadata: {}, createdAt: T });
    await store.createKey(stored("a", { team: "crew", limits: { rpm: 3, tpm: 4 } }));
    const directory = new KeyDirectory([], store, QUIET);
    await directory.start();
    expect(directory.enabled).toBe(true);
    expect(directory.byId("a")?.id).toBe("a");
    expect(directory.byId("nobody")).toBeUndefined();
    expect(directory.keyLimits("a")).toMatchObject({ rpm: 3, tpm: 4 });
    expect(directory.teamLimits("crew")).toEqual({ rpm: 5, maxConcurrent: 2 });
    expect(directory.team("crew")?.name).toBe("crew");
    expect(directory.storedKeys().map((k) => k.id)).toEqual(["a"]);
    expect(directory.storedTeams().map((t) => t.name)).toEqual(["crew"]);

    // Rotated with no grace: the old secret is unknown at once.
    let cur = (await store.getKey("a"))!;
    await store.replaceKey({ ...stripVersion(cur), hash: hashKey(secret("a2")) }, cur.version);
    await directory.refresh();
    expect(directory.lookup(secret("a")).kind).toBe("invalid");
    expect(directory.lookup(secret("a2")).kind).toBe("ok");
    // Rotated with grace, then revoked: neither secret works, the previous one is not even known.
    cur = (await store.getKey("a"))!;
    await store.replaceKey({ ...stripVersion(cur), hash: hashKey(secret("a3")), previousHash: cur.hash, previousHashExpiresAt: T + 60_000 }, cur.version);
    await directory.refresh();
    expect(directory.lookup(secret("a2")).kind).toBe("ok");
    cur = (await store.getKey("a"))!;
    await store.replaceKey({ ...stripVersion(cur), revokedAt: T }, cur.version);
    await directory.refresh();
    expect(directory.lookup(secret("a3"))).toEqual({ kind: "revoked", id: "a", at: T });
    expect(directory.lookup(secret("a2")).kind).toBe("invalid");
    expect(directory.byId("a")).toBeUndefined();
    // The last stored key revoked and no config keys: auth is off again.
    expect(directory.enabled).toBe(false);
    // A deleted team is gone.
    const crew = (await store.getTeam("crew"))!;
    expect((await store.deleteTeam("crew", crew.version, T)).status).toBe("ok");
    await directory.refresh();
    expect(directory.team("crew")).toBeUndefined();
    expect(directory.teamLimits("crew")).toBeUndefined();
    await directory.close();
  });

  it("start() polls on its own and writes last use on its own; without a store there is nothing to poll", async () => {
    const { store, calls, inner } = counted();
    const directory = new KeyDirectory([], store, { pollMs: 20, touchMs: 20 });
    await directory.start();
    await inner.createKey(stored("late"));
    await vi.waitFor(() => expect(directory.lookup(secret("late")).kind).toBe("ok"), { timeout: 10_000, interval: 10 });
    await vi.waitFor(() => expect(calls.get("touch")?.length).toBeGreaterThan(0), { timeout: 10_000, interval: 10 });
    await directory.close();
    const reads = calls.get("version")!.length;
    await new Promise((r) => setTimeout(r, 100)); // closed: the timers are gone
    expect(calls.get("version")!.length).toBe(reads);

    const keyless = new KeyDirectory([], undefined, QUIET);
    await keyless.start();
    expect(keyless.enabled).toBe(false);
    await keyless.refresh().catch(() => undefined);
    await keyless.close();
  });
});

function stripVersion<T extends { version: number }>(v: T): Omit<T, "version"> {
  const { version: _v, ...rest } = v;
  return rest;
}

