// In-process: the reservation lifecycle of one Charge, including the commit
// that finds its reservation expired (the usage is still charged).
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { MessageSchema, Role, UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Accounting } from "../../server/core/accounting/accounting.js";
import { BudgetLedger } from "../../server/core/budget/ledger.js";
import type { CallContext } from "../../server/providers/provider.js";
import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";
import { MemoryOutbox } from "../../server/store/memory/outbox.js";
import { FlakyStore } from "./flaky-store.js";

const START = Date.UTC(2026, 0, 1, 12, 30);
let now = START;
let ledger: BudgetLedger;
let accounting: Accounting;
const log = vi.fn();
const call: CallContext = { signal: new AbortController().signal, requestId: "r1" };
const req = (budgetPool: string, maxTokens = 100) =>
  create(GenerateRequestSchema, {
    model: "claude-sonnet-4-5",
    budgetPool,
    sampling: maxTokens >= 0 ? { maxTokens } : {},
    messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "x".repeat(40) } }] }],
  });
const usage = () => create(UsageSchema, { inputTokens: 20, outputTokens: 30, provider: "p" });

beforeEach(async () => {
  now = START;
  log.mockReset();
  const store = new MemoryBudgetStore();
  ledger = new BudgetLedger(store, () => now);
  accounting = new Accounting({ ledger, outbox: new MemoryOutbox(), requestTimeoutMs: 1000, log, now: () => now });
  await ledger.createPool("p", { capacityTokens: 1000, period: "none" });
  await ledger.createPool("small", { capacityTokens: 200, period: "daily" });
});

describe("Charge", () => {
  it("reserves the estimate: ceil(chars/4) + framing + max_tokens, priced", async () => {
    const charge = await accounting.begin({ kind: "chat", req: req("p") }, call);
    // 40 chars -> 10 tokens + 3 per message + 3 priming = 16; + 100 output
    expect(charge.estimate).toEqual({ promptTokens: 16, outputTokens: 100, tokens: 116, usdMicros: 16 * 3 + 100 * 15 });
    expect((await ledger.getPool("p")).reservedTokens).toBe(116);
  });

  it("commit charges the actual usage once; release afterwards is a no-op", async () => {
    const charge = await accounting.begin({ kind: "chat", req: req("p") }, call);
    const u = await charge.commit(usage(), "claude-sonnet-4-5");
    expect(u).toMatchObject({ costUsdMicros: BigInt(20 * 3 + 30 * 15), budgetPool: "p", model: "claude-sonnet-4-5" });
    await charge.release();
    await charge.commit(usage(), "claude-sonnet-4-5");
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 50, reservedTokens: 0, usedUsdMicros: 510 });
    expect((await ledger.report({ pool: "p", groupBy: "pool" })).total.requests).toBe(1);
  });

  it("release gives the hold back", async () => {
    const charge = await accounting.begin({ kind: "chat", req: req("p") }, call);
    await charge.release();
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 0, reservedTokens: 0 });
  });

  it("a reservation that expired (request outlived the TTL) still charges its usage", async () => {
    expect(accounting.ttlMs).toBe(10 * 60_000 + 60_000);
    const charge = await accounting.begin({ kind: "chat", req: req("p") }, call);
    now += accounting.ttlMs + 1;
    await ledger.sweep();
    await charge.commit(usage(), "claude-sonnet-4-5");
    expect(await ledger.getPool("p")).toMatchObject({ usedTokens: 50, reservedTokens: 0, usedUsdMicros: 510 });
    expect((await ledger.report({ pool: "p", groupBy: "pool" })).total).toMatchObject({ requests: 1, inputTokens: 20, outputTokens: 30 });
    expect(log).toHaveBeenCalledWith("warn", expect.stringContaining("the reservation was gone (expired)"), expect.objectContaining({ pool: "p" }));
  });

  it("over budget: ResourceExhausted with retry-after = seconds to the period's end", async () => {
    const err = (await accounting.begin({ kind: "chat", req: req("small", 500) }, call).catch((e: unknown) => e)) as ConnectError;
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe('budget pool "small" has 200 tokens available, request needs 516');
    expect(err.metadata.get("retry-after")).toBe(String(11.5 * 3600)); // 12:30 -> midnight UTC
  });

  it("without max_tokens the default output hold is clamped to what the pool has left", async () => {
    const charge = await accounting.begin({ kind: "chat", req: req("small", -1) }, call);
    expect(charge.estimate).toMatchObject({ promptTokens: 16, outputTokens: 184, tokens: 200 });
    // Nothing left: not even the prompt and 1 output token fit.
    const err = (await accounting.begin({ kind: "chat", req: req("small", -1) }, call).catch((e: unknown) => e)) as ConnectError;
    expect(err.rawMessage).toBe('budget pool "small" has 0 tokens available, request needs 1040');
    await charge.release();
  });

  it("pool from the header and an invalid pool name", async () => {
    const charge = await accounting.begin({ kind: "chat", req: req("") }, { ...call, budgetPool: "p" });
    expect(charge.pool).toBe("p");
    await charge.release();
    const err = (await accounting.begin({ kind: "chat", req: req("Bad Name") }, call).catch((e: unknown) => e)) as ConnectError;
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/^budget_pool: "Bad Name" is not a valid pool name/);
  });

  it('the "default" pool applies when none is named', async () => {
    await ledger.createPool("default", { capacityTokens: 1000, period: "none" });
    const charge = await accounting.begin({ kind: "chat", req: req("") }, call);
    expect(charge.pool).toBe("default");
    await charge.release();
  });
});

describe("no budget applies", () => {
  it("without a \"default\" pool, a request with none named is not estimated or reserved, the store is asked again after 1 s, and the usage is still recorded", async () => {
    const inner = new MemoryBudgetStore();
    const store = new FlakyStore(inner);
    const plain = new BudgetLedger(store, () => now);
    const acc = new Accounting({ ledger: plain, outbox: new MemoryOutbox(), requestTimeoutMs: 1000, log, now: () => now });
    const first = await acc.begin({ kind: "chat", req: req("") }, call);
    expect([first.pool, store.calls.reserve]).toEqual([undefined, 1]);
    const second = await acc.begin({ kind: "chat", req: req("") }, call);
    expect([second.pool, second.estimate.tokens, store.calls.reserve]).toEqual([undefined, 0, 1]);
    // Counted at commit, from the request itself, when the provider reports no usage.
    const u = await second.commit(undefined, "claude-sonnet-4-5", create(MessageSchema, { role: Role.ASSISTANT, content: [{ part: { case: "text", value: "y".repeat(8) } }] }));
    expect([u.inputTokens, u.outputTokens, u.budgetPool]).toEqual([16, 2, ""]);
    await new Promise((r) => setImmediate(r));
    expect((await inner.queryUsage({})).map((r) => [r.pool, r.inputTokens, r.outputTokens])).toEqual([["", 16, 2]]);
    await plain.createPool("default", { capacityTokens: 1000, period: "none" });
    now += 999;
    expect((await acc.begin({ kind: "chat", req: req("") }, call)).pool).toBeUndefined();
    now += 1;
    const third = await acc.begin({ kind: "chat", req: req("") }, call);
    expect([third.pool, store.calls.reserve]).toEqual(["default", 2]);
    await third.release();
  });
});
