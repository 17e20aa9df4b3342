// A key made at run time as the ApiKey the checks use (auth/stored-key.ts), and the requests in
// flight per key and team (auth/in-flight.ts): exact shapes, budgets in order, model globs,
// limits copied only when set, counts that return to zero however a request ends.
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { InFlight } from "../../server/auth/in-flight.js";
import { linkedBudget, ModelMatchers, storedApiKey } from "../../server/auth/stored-key.js";
import type { StoredKey, StoredTeam } from "../../server/core/keys/types.js";
import { storedKey, storedTeam } from "./records.js";

const stored = (over: Partial<StoredKey> = {}): StoredKey => storedKey(over.id ?? "k1", "h", over);
const team = (over: Partial<StoredTeam> = {}): StoredTeam => storedTeam("crew", over);

describe("linkedBudget", () => {
  it("none without a spec; the named pool alone; else the own pool with the spec's limits", () => {
    expect(linkedBudget(undefined, "key:k")).toBeUndefined();
    expect(linkedBudget({ pool: "shared", period: "daily" }, "key:k")).toEqual({ pool: "shared" });
    expect(linkedBudget({ tokens: 5, usdMicros: 7, period: "hourly" }, "key:k")).toEqual({ pool: "key:k", limits: { capacityTokens: 5, capacityUsdMicros: 7, period: "hourly" } });
  });
});

describe("ModelMatchers", () => {
  it("an empty list allows every model (dotted too); globs ignore case; one compiled matcher per list", () => {
    const m = new ModelMatchers();
    const all = m.get([]);
    expect(all("gpt-4o")).toBe(true);
    expect(all(".hidden")).toBe(true);
    const gpt = m.get(["gpt-4o*", "claude-3"]);
    expect(gpt("GPT-4O-mini")).toBe(true);
    expect(gpt("claude-3")).toBe(true);
    expect(gpt("claude-3-opus")).toBe(false);
    expect(m.get(["gpt-4o*", "claude-3"])).toBe(gpt);
    expect(m.get([])).toBe(all);
    expect(m.get(["claude-3"])).not.toBe(gpt);
  });
});

describe("storedApiKey", () => {
  const none = () => undefined;

  it("a plain key: its id, scopes and models; no team, limits, budgets, default pool or tools", () => {
    const key = storedApiKey(stored({ models: ["gpt-*"] }), none, new ModelMatchers());
    expect(Object.keys(key).sort()).toEqual(["allowsModel", "allowsPool", "allowsTool", "budgets", "id", "scopes"]);
    expect(key.id).toBe("k1");
    expect([...key.scopes]).toEqual(["inference"]);
    expect(key.allowsModel("gpt-4o")).toBe(true);
    expect(key.allowsModel("claude-3")).toBe(false);
    expect(key.allowsTool("any.tool")).toBe(false);
    expect(key.budgets).toEqual([]);
    // Its pool is "default" only; never another key's or team's own pool.
    expect(key.allowsPool("default")).toBe(true);
    expect(key.allowsPool("key:k1")).toBe(false);
  });

  it("limits, team and a named pool are copied when set", () => {
    const key = storedApiKey(stored({ team: "crew", limits: { rpm: 1, tpm: 2, maxConcurrent: 3 }, budget: { pool: "shared", period: "none" } }), () => team(), new ModelMatchers());
    expect(key).toMatchObject({ team: "crew", rpm: 1, tpm: 2, maxConcurrent: 3, defaultPool: "shared" });
    expect(key.allowsPool("shared")).toBe(true);
    expect(key.allowsPool("default")).toBe(false);
    expect(key.budgets).toEqual([{ pool: "shared" }]);
  });

  it("budgets: the key's own first, then its team's, read when asked (a team's change shows at once)", () => {
    let current: StoredTeam | undefined = team({ budget: { tokens: 100, period: "daily" } });
    const own = { tokens: 10, period: "daily" as const };
    const withOwn = storedApiKey(stored({ team: "crew", budget: own }), () => current, new ModelMatchers());
    const teamOnly = storedApiKey(stored({ id: "k2", team: "crew" }), () => current, new ModelMatchers());
    const ownBudget = { pool: "key:k1", limits: { capacityTokens: 10, capacityUsdMicros: undefined, period: "daily" } };
    const teamBudget = { pool: "team:crew", limits: { capacityTokens: 100, capacityUsdMicros: undefined, period: "daily" } };
    expect(withOwn.budgets).toEqual([ownBudget, teamBudget]);
    expect(teamOnly.budgets).toEqual([teamBudget]);
    current = team({ budget: { pool: "shared", period: "none" } });
    expect(teamOnly.budgets).toEqual([{ pool: "shared" }]);
    // A team without a budget, or one this process does not know: the key's own budget only.
    current = team();
    expect(withOwn.budgets).toEqual([ownBudget]);
    current = undefined;
    expect(withOwn.budgets).toEqual([ownBudget]);
    expect(teamOnly.budgets).toEqual([]);
  });
});

describe("InFlight", () => {
  const refusal = (f: () => unknown): ConnectError => {
    try {
      f();
    } catch (err) {
      return ConnectError.from(err);
    }
    throw new Error("expected ResourceExhausted");
  };

  it("counts a key and its team; at a limit refuses with retry-after, naming who and the limit, and keeps nothing", () => {
    const f = new InFlight();
    const a = f.enter("k1", 2, "crew", 3);
    expect([f.count("key:k1"), f.count("team:crew")]).toEqual([1, 1]);
    const b = f.enter("k1", 2, "crew", 3);
    const full = refusal(() => f.enter("k1", 2, "crew", 3));
    expect(full.code).toBe(Code.ResourceExhausted);
    expect(full.rawMessage).toBe('API key "k1" has 2 requests in flight, its limit (max_concurrent_requests 2); retry when one ends');
    expect(full.metadata.get("retry-after")).toBe("1");
    expect([f.count("key:k1"), f.count("team:crew")]).toEqual([2, 2]);

    const c = f.enter("k2", undefined, "crew", 3);
    // The team is full: k3's own count is given back.
    const team = refusal(() => f.enter("k3", 5, "crew", 3));
    expect(team.rawMessage).toBe('team "crew" has 3 requests in flight, its limit (max_concurrent_requests 3); retry when one ends');
    expect(f.count("key:k3")).toBe(0);

    for (const leave of [a, b, c]) leave();
    expect([f.count("key:k1"), f.count("key:k2"), f.count("team:crew")]).toEqual([0, 0, 0]);
  });

  it("leaving twice counts once; no team, no team count; no limit, never refused", () => {
    const f = new InFlight();
    const one = f.enter("k1", undefined, undefined, undefined);
    const two = f.enter("k1", undefined, undefined, undefined);
    expect(f.count("key:k1")).toBe(2);
    expect(f.count("team:undefined")).toBe(0);
    one();
    one();
    expect(f.count("key:k1")).toBe(1);
    two();
    expect(f.count("key:k1")).toBe(0);
    for (let i = 0; i < 100; i++) f.enter("busy", undefined, "t", undefined);
    expect([f.count("key:busy"), f.count("team:t")]).toEqual([100, 100]);
  });
});
