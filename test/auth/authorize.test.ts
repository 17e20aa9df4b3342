// Unit tests of auth/authorize.ts (in-process; stryker/access.config.mjs mutates it against
// this file): authentication answers, scopes, every model a request reaches, the pool it
// charges, the bound on routing hints, rate admission, and the identity CallContext carries.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { RoutingHintsSchema, type RoutingHints } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { Auth, headerGetter, identity, modelDenied, type ReachFn, type RequestReach } from "../../server/auth/authorize.js";
import { hashKey, type ApiKey } from "../../server/auth/keys.js";
import type { KeyConfig } from "../../server/config/schema.js";
import { KeyDirectory } from "../../server/auth/directory.js";
import type { KeyStore, StoredKey } from "../../server/core/keys/types.js";
import { RateLimiter } from "../../server/core/rate-limit/limiter.js";
import { MemoryRateWindows } from "../../server/core/rate-limit/memory.js";
import { MemoryKeyStore } from "../../server/store/memory/key-store.js";
import { storedKey, T } from "../keys/records.js";

const OPTIONS = { open_health: true, open_reflection: true, allow_unauthenticated_remote: false };
const secret = (id: string) => `hk_unit_${id}_0123456789abcdef`;
const key = (id: string, over: Partial<KeyConfig> = {}): KeyConfig => ({
  id,
  hash: hashKey(secret(id)),
  scopes: ["inference"],
  models: ["*"],
  pools: [],
  enabled: true,
  ...over,
});

/** Aliases as the router expands them: "cheap-or-big" stands for two models. */
const ALIASES: Record<string, string[]> = { "cheap-or-big": ["mock-cheap", "premium-big"], cheap: ["mock-cheap"] };
const reach: ReachFn = (model, hints) => {
  const out = new Set<string>();
  for (const m of [model, ...(hints?.fallbackModels ?? [])]) for (const e of ALIASES[m] ?? [m]) out.add(e);
  return [...out];
};

const KEYS = [
  key("limited", { models: ["mock-cheap*", "cheap", "cheap-or-big"], default_pool: "team-a", pools: ["shared-*"] }),
  key("other", { default_pool: "team-b" }),
  key("plain"),
  key("root", { scopes: ["admin"], models: ["*"] }),
  key("reader", { scopes: ["budgets:read"] }),
  key("off", { enabled: false }),
];

function setup(extras: ConstructorParameters<typeof Auth>[2] = { reach }) {
  const auth = new Auth(KEYS, OPTIONS, extras);
  const as = (id: string): ApiKey => auth.authenticate((n) => (n === "x-api-key" ? secret(id) : undefined))!;
  return { auth, as };
}

function errorOf(f: () => unknown): ConnectError | undefined {
  try {
    f();
  } catch (err) {
    return ConnectError.from(err);
  }
  return undefined;
}

const hints = (fallbackModels: string[], over: Partial<Pick<RoutingHints, "provider" | "strategy">> = {}) => create(RoutingHintsSchema, { fallbackModels, ...over });
const req = (model: string, over: Partial<RequestReach> = {}): RequestReach => ({ model, ...over });

describe("authenticate", () => {
  const { auth } = setup();
  it("answers each failure with its own message", () => {
    const missing = errorOf(() => auth.authenticate(() => undefined));
    expect(missing?.code).toBe(Code.Unauthenticated);
    expect(missing?.rawMessage).toBe("missing API key: send `authorization: Bearer <key>` or `x-api-key: <key>`");
    const invalid = errorOf(() => auth.authenticate((n) => (n === "authorization" ? "Bearer hk_nope_0123456789abcdef" : undefined)));
    expect(invalid?.code).toBe(Code.Unauthenticated);
    expect(invalid?.rawMessage).toBe("invalid API key");
    const off = errorOf(() => auth.authenticate((n) => (n === "x-api-key" ? secret("off") : undefined)));
    expect(off?.code).toBe(Code.Unauthenticated);
    expect(off?.rawMessage).toBe('API key "off" is disabled');
    expect(auth.authenticate((n) => (n === "authorization" ? `Bearer ${secret("plain")}` : undefined))?.id).toBe("plain");
  });

  it("is off with no keys: every check lets the request through", async () => {
    const open = new Auth([], OPTIONS);
    expect(open.enabled).toBe(false);
    expect(open.authenticate(() => undefined)).toBeUndefined();
    expect(errorOf(() => open.authorize(undefined, "admin", "anything"))).toBeUndefined();
    expect(errorOf(() => open.authorizeRequest(undefined, "admin", req("x", { routing: hints(Array(20).fill("m")) })))).toBeUndefined();
    await expect(open.admit(undefined)).resolves.toBeUndefined();
    await expect(open.check(() => undefined, "admin")).resolves.toBeUndefined();
    expect(open.requireScope({}, "admin")).toBeUndefined();
  });
});

describe("authorize (scope and one model)", () => {
  const { auth, as } = setup();
  it("needs one of the scopes; admin grants every scope", () => {
    const denied = errorOf(() => auth.authorize(as("plain"), ["budgets:read", "admin"]));
    expect(denied?.code).toBe(Code.PermissionDenied);
    expect(denied?.rawMessage).toBe('API key "plain" lacks scope "budgets:read" or "admin"');
    expect(errorOf(() => auth.authorize(as("plain"), "admin"))?.rawMessage).toBe('API key "plain" lacks scope "admin"');
    expect(errorOf(() => auth.authorize(as("plain"), ["transcribe", "inference"]))).toBeUndefined();
    expect(errorOf(() => auth.authorize(as("plain"), "inference"))).toBeUndefined();
    expect(errorOf(() => auth.authorize(as("root"), ["budgets:write"]))).toBeUndefined();
    expect(errorOf(() => auth.authorize(as("reader"), "inference"))?.code).toBe(Code.PermissionDenied);
  });

  it("checks a given model against the key's globs; an empty model is left to validation", () => {
    expect(errorOf(() => auth.authorize(as("limited"), "inference", "mock-cheap-2"))).toBeUndefined();
    const denied = errorOf(() => auth.authorize(as("limited"), "inference", "premium-big"));
    expect(denied?.code).toBe(Code.PermissionDenied);
    expect(denied?.rawMessage).toBe('API key "limited" may not use model "premium-big"');
    expect(errorOf(() => auth.authorize(as("limited"), "inference", ""))).toBeUndefined();
    expect(errorOf(() => auth.authorize(as("limited"), "inference"))).toBeUndefined();
    // The scope is checked before the model.
    expect(errorOf(() => auth.authorize(as("reader"), "inference", "premium-big"))?.rawMessage).toContain("lacks scope");
  });
});

describe("authorizeRequest: every model a request reaches", () => {
  const { auth, as } = setup();
  const check = (id: string, r: RequestReach, header?: string) => errorOf(() => auth.authorizeRequest(as(id), "inference", r, header));

  it("the model and each fallback model", () => {
    expect(check("limited", req("mock-cheap"))).toBeUndefined();
    expect(check("limited", req("mock-cheap", { routing: hints(["mock-cheap-b"]) }))).toBeUndefined();
    const fallback = check("limited", req("mock-cheap", { routing: hints(["mock-cheap-b", "premium-big"]) }));
    expect(fallback?.code).toBe(Code.PermissionDenied);
    expect(fallback?.rawMessage).toBe('API key "limited" may not use model "premium-big"');
    expect(check("other", req("mock-cheap", { routing: hints(["premium-big"]) }))).toBeUndefined();
  });

  it("what an alias stands for, as the model or as a fallback", () => {
    expect(check("limited", req("cheap"))).toBeUndefined();
    const alias = check("limited", req("cheap-or-big"));
    expect(alias?.code).toBe(Code.PermissionDenied);
    expect(alias?.rawMessage).toBe('API key "limited" may not use model "premium-big" (alias "cheap-or-big" stands for it)');
    const viaFallback = check("limited", req("mock-cheap", { routing: hints(["cheap-or-big"]) }));
    expect(viaFallback?.rawMessage).toBe('API key "limited" may not use model "premium-big" (alias "cheap-or-big" stands for it)');
    expect(check("other", req("cheap-or-big"))).toBeUndefined();
  });

  it("without the router's expansion, the names as written", () => {
    const literal = new Auth(KEYS, OPTIONS);
    const limited = literal.authenticate((n) => (n === "x-api-key" ? secret("limited") : undefined))!;
    expect(errorOf(() => literal.authorizeRequest(limited, "inference", req("cheap-or-big")))).toBeUndefined();
    expect(errorOf(() => literal.authorizeRequest(limited, "inference", req("mock-cheap", { routing: hints(["premium-big"]) })))?.code).toBe(Code.PermissionDenied);
  });

  it("an empty model is left to validation; the scope comes first", () => {
    expect(check("limited", req(""))).toBeUndefined();
    expect(errorOf(() => auth.authorizeRequest(as("reader"), "inference", req("mock-cheap")))?.rawMessage).toBe('API key "reader" lacks scope "inference"');
  });

  it("bounds routing hints before any model is looked at", () => {
    const spy = vi.fn(reach);
    const bounded = new Auth(KEYS, OPTIONS, { reach: spy });
    const limited = bounded.authenticate((n) => (n === "x-api-key" ? secret("limited") : undefined))!;
    const allows = vi.spyOn(limited, "allowsModel");
    const huge = Array.from({ length: 300_000 }, (_, i) => `m-${i}`);
    const err = errorOf(() => bounded.authorizeRequest(limited, "inference", req("mock-cheap", { routing: hints(huge) })));
    expect(err?.code).toBe(Code.InvalidArgument);
    expect(err?.rawMessage).toBe("routing.fallback_models: has 300000 models; at most 8 are allowed");
    expect(spy).not.toHaveBeenCalled();
    expect(allows).not.toHaveBeenCalled();
    expect(errorOf(() => bounded.authorizeRequest(limited, "inference", req("mock-cheap", { routing: hints(Array(8).fill("mock-cheap")) })))).toBeUndefined();
    expect(errorOf(() => bounded.authorizeRequest(limited, "inference", req("mock-cheap", { routing: hints(Array(9).fill("mock-cheap")) })))?.code).toBe(Code.InvalidArgument);
    expect(errorOf(() => bounded.authorizeRequest(limited, "inference", req("mock-cheap", { routing: hints([], { provider: "p".repeat(257) }) })))?.code).toBe(Code.InvalidArgument);
    allows.mockRestore();
  });
});

describe("authorizeRequest: the budget pool a request charges", () => {
  const { auth, as } = setup();
  const pool = (id: string, over: Partial<RequestReach>, header?: string) => errorOf(() => auth.authorizeRequest(as(id), "inference", req("mock-cheap", over), header));
  const DENIED = 'API key "limited" may not use budget pool "team-b"';

  it("refuses a pool the key is not granted, wherever it is named, listing nothing", () => {
    for (const err of [pool("limited", { budgetPool: "team-b" }), pool("limited", { metadata: { budget_pool: "team-b" } }), pool("limited", {}, "team-b")]) {
      expect(err?.code).toBe(Code.PermissionDenied);
      expect(err?.rawMessage).toBe(DENIED);
    }
  });

  it("grants the default pool and the `pools` globs; admin any pool", () => {
    expect(pool("limited", {})).toBeUndefined();
    expect(pool("limited", { budgetPool: "team-a" })).toBeUndefined();
    expect(pool("limited", { metadata: { budget_pool: "shared-x" } })).toBeUndefined();
    expect(pool("limited", {}, "shared-y")).toBeUndefined();
    expect(pool("limited", { budgetPool: "shared" })?.code).toBe(Code.PermissionDenied);
    // Without default_pool the implicit pool "default" is the key's own.
    expect(pool("plain", {})).toBeUndefined();
    expect(pool("plain", { budgetPool: "default" })).toBeUndefined();
    expect(pool("plain", { budgetPool: "team-a" })?.code).toBe(Code.PermissionDenied);
    expect(pool("other", { budgetPool: "default" })?.code).toBe(Code.PermissionDenied);
    const root = errorOf(() => auth.authorizeRequest(as("root"), "inference", req("x", { budgetPool: "team-b" })));
    expect(root).toBeUndefined();
  });

  it("the field wins over metadata, metadata over the header", () => {
    expect(pool("limited", { budgetPool: "team-a", metadata: { budget_pool: "team-b" } }, "team-b")).toBeUndefined();
    expect(pool("limited", { metadata: { budget_pool: "team-a" } }, "team-b")).toBeUndefined();
    expect(pool("limited", { budgetPool: "team-b", metadata: { budget_pool: "team-a" } })?.rawMessage).toBe(DENIED);
  });
});

describe("admit and check", () => {
  it("check authenticates, checks the scope, then counts: a refused request is not counted", async () => {
    let now = 0;
    const auth = new Auth([key("one", { rpm: 1 })], OPTIONS, { now: () => now });
    const get = (n: string) => (n === "x-api-key" ? secret("one") : undefined);
    await expect(auth.check(get, "admin")).rejects.toMatchObject({ code: Code.PermissionDenied });
    expect((await auth.check(get, ["inference"]))?.id).toBe("one");
    await expect(auth.check(get, "inference")).rejects.toMatchObject({ code: Code.ResourceExhausted });
    now += 60_000;
    const k = auth.authenticate(get)!;
    await auth.admit(k);
    await expect(auth.admit(k)).rejects.toMatchObject({ code: Code.ResourceExhausted });
  });
});

describe("requireScope, identity, headerGetter", () => {
  const { auth, as } = setup();
  it("requireScope reads Fetch Headers and Node header maps", () => {
    expect(auth.requireScope(new Headers({ authorization: `Bearer ${secret("root")}` }), "admin")?.id).toBe("root");
    expect(auth.requireScope({ "x-api-key": [secret("root"), "ignored"] }, "admin")?.id).toBe("root");
    expect(errorOf(() => auth.requireScope({ "x-api-key": secret("plain") }, "admin"))?.code).toBe(Code.PermissionDenied);
    expect(errorOf(() => auth.requireScope({}, "admin"))?.code).toBe(Code.Unauthenticated);
  });

  it("identity carries the id, the default pool when set, and the grants", () => {
    const limited = identity(as("limited"));
    expect(Object.keys(limited).sort()).toEqual(["allowsModel", "allowsPool", "defaultPool", "id"]);
    expect(limited).toMatchObject({ id: "limited", defaultPool: "team-a" });
    expect(limited.allowsModel("mock-cheap")).toBe(true);
    expect(limited.allowsModel("premium-big")).toBe(false);
    expect(limited.allowsPool("team-a")).toBe(true);
    expect(limited.allowsPool("team-b")).toBe(false);
    expect(Object.keys(identity(as("plain"))).sort()).toEqual(["allowsModel", "allowsPool", "id"]);
    expect(identity(as("root")).allowsPool("anything")).toBe(true);
  });

  it("headerGetter", () => {
    expect(headerGetter(new Headers({ a: "1" }))("a")).toBe("1");
    expect(headerGetter(new Headers())("a")).toBeUndefined();
    expect(headerGetter({ a: ["1", "2"], b: "3" })("a")).toBe("1");
    expect(headerGetter({ a: ["1", "2"], b: "3" })("b")).toBe("3");
    expect(headerGetter({})("a")).toBeUndefined();
  });

  it("modelDenied names the key, the model and the alias", () => {
    expect(modelDenied({ id: "k" }, "m").rawMessage).toBe('API key "k" may not use model "m"');
    expect(modelDenied({ id: "k" }, "m", "a").rawMessage).toBe('API key "k" may not use model "m" (alias "a" stands for it)');
    expect(modelDenied({ id: "k" }, "m").code).toBe(Code.PermissionDenied);
  });
});

describe("keys made at run time (KeyDirectory): revoked, expired, teams, in flight", () => {
  const stored = (id: string, over: Partial<StoredKey> = {}): StoredKey => storedKey(id, hashKey(secret(id)), over);

  async function setup() {
    const store = new MemoryKeyStore();
    await store.createTeam({ name: "crew", limits: { maxConcurrent: 2 }, budget: { tokens: 100, period: "daily" }, metadata: {}, createdAt: T });
    await store.createKey(stored("gone", { revokedAt: T - 1000 }));
    await store.createKey(stored("old", { expiresAt: T - 1 }));
    await store.createKey(stored("rotated", { hash: hashKey(secret("rotated-new")), previousHash: hashKey(secret("rotated")), previousHashExpiresAt: T - 5 }));
    await store.createKey(stored("solo", { limits: { maxConcurrent: 1 } }));
    await store.createKey(stored("m1", { team: "crew", budget: { tokens: 10, period: "daily" } }));
    await store.createKey(stored("m2", { team: "crew" }));
    await store.createKey(stored("free"));
    const directory = new KeyDirectory([], store, { now: () => T });
    await directory.start();
    await directory.close();
    return new Auth([], OPTIONS, { directory });
  }
  const bearer = (id: string) => headerGetter({ authorization: `Bearer ${secret(id)}` });
  const unauth = (auth: Auth, id: string) => {
    try {
      auth.authenticate(bearer(id));
    } catch (err) {
      const e = ConnectError.from(err);
      expect(e.code).toBe(Code.Unauthenticated);
      return e.rawMessage;
    }
    throw new Error("expected Unauthenticated");
  };

  it("names a revoked key, an expired key and an expired previous secret, with when", async () => {
    const auth = await setup();
    expect(auth.enabled).toBe(true);
    expect(unauth(auth, "gone")).toBe(`API key "gone" was revoked at ${new Date(T - 1000).toISOString()}`);
    expect(unauth(auth, "old")).toBe(`API key "old" expired at ${new Date(T - 1).toISOString()}`);
    expect(unauth(auth, "rotated")).toBe(`the previous secret of API key "rotated" expired at ${new Date(T - 5).toISOString()}`);
    expect(auth.authenticate(bearer("rotated-new"))?.id).toBe("rotated");
  });

  it("enter(): a key's and its team's requests in flight, each against its limit; a refusal gives back what it took", async () => {
    const auth = await setup();
    const solo = auth.authenticate(bearer("solo"))!;
    const leave = auth.enter(solo);
    const e = (() => {
      try {
        auth.enter(solo);
      } catch (err) {
        return ConnectError.from(err);
      }
      throw new Error("expected ResourceExhausted");
    })();
    expect(e.code).toBe(Code.ResourceExhausted);
    expect(e.rawMessage).toBe('API key "solo" has 1 requests in flight, its limit (max_concurrent_requests 1); retry when one ends');
    leave();
    leave(); // idempotent
    auth.enter(solo)();

    const [m1, m2] = [auth.authenticate(bearer("m1"))!, auth.authenticate(bearer("m2"))!];
    const l1 = auth.enter(m1);
    const l2 = auth.enter(m2);
    expect(() => auth.enter(m1)).toThrow('team "crew" has 2 requests in flight, its limit (max_concurrent_requests 2); retry when one ends');
    l1();
    const l3 = auth.enter(m1);
    l2();
    l3();
    // No limit and no team: nothing is counted.
    const free = auth.authenticate(bearer("free"))!;
    for (let i = 0; i < 5; i++) auth.enter(free);
    expect(auth.enter(undefined)).toBeTypeOf("function");
  });

  it("identity carries the team and the key's and team's budgets", async () => {
    const auth = await setup();
    const m1 = identity(auth.authenticate(bearer("m1"))!);
    expect(m1.team).toBe("crew");
    expect(m1.budgets?.map((b) => b.pool)).toEqual(["key:m1", "team:crew"]);
    const m2 = identity(auth.authenticate(bearer("m2"))!);
    expect(m2.budgets?.map((b) => b.pool)).toEqual(["team:crew"]);
    const free = identity(auth.authenticate(bearer("free"))!);
    expect("team" in free).toBe(false);
    expect("budgets" in free).toBe(false);
  });

  it("admit(): a team's rpm is shared by its keys, counted once per request; a key without a team is not", async () => {
    const store = new MemoryKeyStore();
    await store.createTeam({ name: "crew", limits: { rpm: 3 }, metadata: {}, createdAt: T });
    for (const id of ["m1", "m2"]) await store.createKey(stored(id, { team: "crew" }));
    await store.createKey(stored("free"));
    const directory = new KeyDirectory([], store, { now: () => T });
    await directory.start();
    await directory.close();
    const limiter = new RateLimiter(new MemoryRateWindows(), { keys: (id) => directory.keyLimits(id), teams: (name) => directory.teamLimits(name), now: () => T });
    const auth = new Auth([], OPTIONS, { directory, limiter, now: () => T });
    const [m1, m2, free] = ["m1", "m2", "free"].map((id) => auth.authenticate(bearer(id))!);
    await auth.admit(m1);
    await auth.admit(m2);
    await auth.admit(m1);
    await expect(auth.admit(m2)).rejects.toMatchObject({ code: Code.ResourceExhausted, rawMessage: expect.stringContaining('team "crew"') });
    for (let i = 0; i < 5; i++) await auth.admit(free);
  });

  it("enter(): a key whose team this process does not know (yet) is counted against its own limit only", async () => {
    const record = { ...stored("stray", { team: "unseen", limits: { maxConcurrent: 1 } }), version: 1 };
    const store = { version: async () => 1, changes: async () => ({ version: 1, keys: [record], teams: [] }) } as unknown as KeyStore;
    const directory = new KeyDirectory([], store, { now: () => T });
    await directory.start();
    await directory.close();
    const auth = new Auth([], OPTIONS, { directory });
    const stray = auth.authenticate(bearer("stray"))!;
    expect(stray.team).toBe("unseen");
    const leave = auth.enter(stray);
    expect(() => auth.enter(stray)).toThrow('API key "stray" has 1 requests in flight');
    leave();
  });
});
