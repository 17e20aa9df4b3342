// Rate windows in memory with an injected clock (exact counts, Retry-After,
// tokens added after the call, sliding), the limiter's refusals, and pool
// rpm/tpm enforced by Accounting.begin / Charge.commit.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Role, UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { Accounting } from "../../server/core/accounting/accounting.js";
import { BudgetLedger } from "../../server/core/budget/ledger.js";
import { limitsByName, RateLimiter } from "../../server/core/rate-limit/limiter.js";
import { MemoryRateWindows } from "../../server/core/rate-limit/memory.js";
import { openRateWindows } from "../../server/core/rate-limit/open.js";
import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";
import { MemoryOutbox } from "../../server/store/memory/outbox.js";

const refusal = async (p: Promise<unknown>): Promise<ConnectError> => {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected a refusal");
};

describe("MemoryRateWindows", () => {
  it("admits exactly rpm requests per 60 s and says when the oldest leaves", () => {
    const w = new MemoryRateWindows();
    for (let i = 0; i < 5; i++) expect(w.takeNow("k", { rpm: 5 }, 1_000 + i * 1_000)).toEqual({ admitted: true });
    // Requests at 1 s..5 s; at 10 s the one at 1 s leaves at 61 s.
    expect(w.takeNow("k", { rpm: 5 }, 10_000)).toEqual({ admitted: false, limit: "rpm", retryAfterMs: 51_000 });
    expect(w.takeNow("k", { rpm: 5 }, 60_999)).toMatchObject({ admitted: false, retryAfterMs: 1 });
    expect(w.takeNow("k", { rpm: 5 }, 61_000)).toEqual({ admitted: true });
    // The window slides: the one at 2 s leaves next.
    expect(w.takeNow("k", { rpm: 5 }, 61_500)).toMatchObject({ admitted: false, retryAfterMs: 500 });
    expect(w.takeNow("k", { rpm: 5 }, 62_000)).toEqual({ admitted: true });
  });

  it("counts no refused request, and keys are separate", () => {
    const w = new MemoryRateWindows();
    expect(w.takeNow("a", { rpm: 1 }, 0).admitted).toBe(true);
    for (let i = 0; i < 10; i++) expect(w.takeNow("a", { rpm: 1 }, 100 * i).admitted).toBe(false);
    expect(w.takeNow("b", { rpm: 1 }, 0).admitted).toBe(true);
    expect(w.takeNow("a", { rpm: 1 }, 60_000).admitted).toBe(true);
  });

  it("a lowered rpm waits for enough requests to leave", () => {
    const w = new MemoryRateWindows();
    for (let i = 0; i < 4; i++) w.takeNow("k", { rpm: 4 }, i * 10_000);
    // 4 in the window (0, 10, 20, 30 s), now rpm 2: the one at 20 s must leave.
    expect(w.takeNow("k", { rpm: 2 }, 35_000)).toMatchObject({ admitted: false, retryAfterMs: 45_000 });
  });

  it("tpm: tokens added after the call; refused once the window holds tpm; Retry-After from the oldest bucket", async () => {
    const w = new MemoryRateWindows();
    const tpm = { tpm: 100 };
    expect(w.takeNow("k", tpm, 0).admitted).toBe(true);
    expect(w.takeNow("k", tpm, 100).admitted).toBe(true); // nothing recorded yet: both in flight
    await w.addTokens("k", 60, 2_500); // bucket 2 s, leaves at 63 s
    expect(w.takeNow("k", tpm, 3_000).admitted).toBe(true); // 60 < 100
    await w.addTokens("k", 50, 10_200); // bucket 10 s, leaves at 71 s
    expect(w.takeNow("k", tpm, 11_000)).toEqual({ admitted: false, limit: "tpm", retryAfterMs: 52_000 });
    expect(w.takeNow("k", tpm, 62_999).admitted).toBe(false);
    expect(w.takeNow("k", tpm, 63_000).admitted).toBe(true); // 50 left
    await w.addTokens("k", 200, 64_000); // one call over the whole tpm
    // 250 in the window: both buckets must leave (10 s at 71 s, 64 s at 125 s).
    expect(w.takeNow("k", tpm, 65_000)).toMatchObject({ admitted: false, retryAfterMs: 60_000 });
    expect(w.takeNow("k", tpm, 125_000).admitted).toBe(true);
  });

  it("rpm and tpm together: a request refused by tpm is not counted against rpm", async () => {
    const w = new MemoryRateWindows();
    const limits = { rpm: 2, tpm: 10 };
    expect(w.takeNow("k", limits, 0).admitted).toBe(true);
    await w.addTokens("k", 10, 0);
    expect(w.takeNow("k", limits, 1)).toMatchObject({ admitted: false, limit: "tpm" });
    expect(w.takeNow("k", limits, 61_000).admitted).toBe(true);
    expect(w.takeNow("k", limits, 61_001).admitted).toBe(true);
    expect(w.takeNow("k", limits, 61_002)).toMatchObject({ admitted: false, limit: "rpm", retryAfterMs: 59_998 });
  });
});

describe("RateLimiter", () => {
  it("names the pool or key and the limit, with retry-after in whole seconds (>= 1)", async () => {
    let now = 0;
    const limiter = new RateLimiter(new MemoryRateWindows(), {
      pools: limitsByName([{ name: "team-a", rpm: 1, tpm: 5000 }], (p) => p.name),
      keys: limitsByName([{ id: "app", tpm: 10 }], (k) => k.id),
      now: () => now,
    });
    await limiter.admitPool("team-a");
    now = 54_000;
    let err = await refusal(limiter.admitPool("team-a"));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe('budget pool "team-a" exceeded its limit of 1 requests per minute; retry in 6 s');
    expect(err.metadata.get("retry-after")).toBe("6");
    now = 59_999;
    expect((await refusal(limiter.admitPool("team-a"))).metadata.get("retry-after")).toBe("1");

    await limiter.admitKey("app");
    await limiter.tokenSink("app", "team-a")!(5000);
    now = 60_000;
    err = await refusal(limiter.admitPool("team-a"));
    expect(err.rawMessage).toBe('budget pool "team-a" exceeded its limit of 5000 tokens per minute; retry in 60 s');
    err = await refusal(limiter.admitKey("app"));
    expect(err.rawMessage).toBe('API key "app" exceeded its limit of 10 tokens per minute; retry in 60 s');
    // Unlimited subjects pass and get no token sink.
    await limiter.admitPool("other");
    await limiter.admitKey("other");
    expect(limiter.tokenSink("other", "other")).toBeUndefined();
  });

  it("a window store failure while adding tokens is logged, not thrown", async () => {
    const logged: string[] = [];
    const broken = new MemoryRateWindows();
    broken.addTokens = () => Promise.reject(new Error("down"));
    const limiter = new RateLimiter(broken, { pools: new Map([["p", { tpm: 1 }]]), log: (_l, msg) => logged.push(msg) });
    await limiter.tokenSink(undefined, "p")!(5);
    expect(logged).toEqual(["tokens not added to the rate window"]);
  });
});

describe("openRateWindows", () => {
  it("memory/sqlite: one window set per budget store, so a config reload that keeps the store keeps the counts", async () => {
    const store = new MemoryBudgetStore();
    const config = { kind: "memory", prefix: "hoosh:" };
    const [a, b, other] = [await openRateWindows(config, store), await openRateWindows(config, store), await openRateWindows(config, new MemoryBudgetStore())];
    expect(b.windows).toBe(a.windows);
    expect(other.windows).not.toBe(a.windows);
    expect(a.windows).toBeInstanceOf(MemoryRateWindows);
  });
});

describe("pool rate limits in Accounting", () => {
  async function setup(limits: { rpm?: number; tpm?: number }) {
    let now = 1_000_000;
    const store = new MemoryBudgetStore();
    const ledger = new BudgetLedger(store, () => now);
    await ledger.createPool("team-a", { capacityTokens: 1_000_000, period: "none" });
    const rate = new RateLimiter(new MemoryRateWindows(), {
      pools: new Map([["team-a", limits]]),
      keys: new Map([["app", { tpm: 1_000_000 }]]),
      now: () => now,
    });
    const accounting = new Accounting({ ledger, outbox: new MemoryOutbox(), requestTimeoutMs: 60_000, rate, now: () => now });
    const req = create(GenerateRequestSchema, {
      model: "gpt-4o-mini",
      budgetPool: "team-a",
      messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "hi" } }] }],
    });
    const call = { signal: new AbortController().signal, requestId: "r", key: { id: "app" } };
    const begin = () => accounting.begin({ kind: "chat", req }, call);
    return { ledger, begin, tick: (ms: number) => void (now += ms) };
  }

  it("rpm: refuses before reserving, naming the pool", async () => {
    const { ledger, begin, tick } = await setup({ rpm: 2 });
    await (await begin()).release();
    tick(1_000);
    await (await begin()).release();
    const err = await refusal(begin());
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe('budget pool "team-a" exceeded its limit of 2 requests per minute; retry in 59 s');
    expect((await ledger.getPool("team-a")).reservedTokens).toBe(0);
    tick(59_000);
    await (await begin()).release();
  });

  it("tpm: commit adds the actual usage; release adds nothing", async () => {
    const { begin, tick } = await setup({ tpm: 100 });
    const released = await begin();
    await released.release(); // an error: its hold counts no tokens
    const charge = await begin();
    await charge.commit(create(UsageSchema, { inputTokens: 60, outputTokens: 40 }), "gpt-4o-mini");
    tick(1_000);
    const err = await refusal(begin());
    expect(err.rawMessage).toMatch(/^budget pool "team-a" exceeded its limit of 100 tokens per minute; retry in \d+ s$/);
    tick(60_000);
    await (await begin()).release();
  });
});
