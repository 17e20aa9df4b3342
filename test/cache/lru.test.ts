import { describe, expect, it } from "vitest";

import { LruCache } from "../../server/core/cache/lru.js";

describe("LruCache", () => {
  it("expires entries by TTL with an injected clock", () => {
    let now = 1000;
    const c = new LruCache<string>(100, () => now);
    c.set("a", "A", 10, 500);
    now = 1499;
    expect(c.get("a")).toBe("A");
    now = 1500;
    expect(c.get("a")).toBeUndefined();
    expect(c.stats()).toMatchObject({ hits: 1, misses: 1, entries: 0, bytes: 0, expirations: 1, evictions: 0 });
  });

  it("evicts least recently used first to honour the byte cap", () => {
    const c = new LruCache<string>(30, () => 0);
    c.set("a", "A", 10, 1e9);
    c.set("b", "B", 10, 1e9);
    c.set("c", "C", 10, 1e9);
    expect(c.get("a")).toBe("A"); // a is now most recent: order b, c, a
    c.set("d", "D", 15, 1e9); // needs 15: evicts b then c
    expect(c.has("b")).toBe(false);
    expect(c.has("c")).toBe(false);
    expect(c.has("a")).toBe(true);
    expect(c.has("d")).toBe(true);
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 25, maxBytes: 30, evictions: 2 });
  });

  it("refuses an entry larger than the cap and replaces in place", () => {
    const c = new LruCache<string>(20, () => 0);
    expect(c.set("big", "X", 21, 1e9)).toBe(false);
    c.set("a", "A", 10, 1e9);
    c.set("a", "A2", 5, 1e9);
    expect(c.get("a")).toBe("A2");
    expect(c.stats()).toMatchObject({ entries: 1, bytes: 5, evictions: 0 });
    expect(c.set("z", "Z", 1, 0)).toBe(false);
  });

  it("counts hits and misses", () => {
    const c = new LruCache<number>(10);
    c.set("k", 1, 1, 1e6);
    c.get("k");
    c.get("k");
    c.get("nope");
    expect(c.stats()).toMatchObject({ hits: 2, misses: 1 });
  });
});
