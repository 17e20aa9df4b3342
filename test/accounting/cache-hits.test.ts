// Cache-hit accounting with exact numbers, through a real hoosh and a fake upstream:
// by default a hit costs 0, leaves the pool's balance alone and still writes one usage record
// (reports count it under cache_hits); with [cache] charge_hits = true a hit is charged its
// tokens and price like any answer, and is refused when the pool cannot hold it.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { balance, clients, user, type Clients } from "./helpers.js";

// The fake's usage for a three-word prompt: 3 words + 3 per message in, 4 word chunks out, 2 cached (header).
const FAKE = { inputTokens: 6, cachedInputTokens: 2, outputTokens: 4 };
// o1 at 15 / 7.5 / 60 USD per 1M: 4*15 + 2*7.5 + 4*60 = 315 micro-USD.
const O1_COST = 315;
const pools = (names: string[], capacity = 100_000) => names.map((n) => `[[budgets]]\nname = "${n}"\ncapacity = ${capacity}\n`).join("\n");

let fake: FakeOpenAI;
const servers: Hoosh[] = [];
beforeAll(async () => {
  fake = await startFakeOpenAI();
  const base = (cache: string, budgets: string) =>
    fakeProviderConfig(fake.baseUrl, `headers = { "x-fake-cached-tokens" = "2" }\n\n[cache]\n${cache}\n\n${budgets}`);
  servers.push(
    await startHoosh(base("", pools(["free-unary", "free-stream"]))),
    await startHoosh(base("charge_hits = true", pools(["paid-unary", "paid-stream"]) + pools(["paid-small"], 25))),
  );
}, 30_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await fake?.stop();
});

async function report(c: Clients, pool: string) {
  const { total } = await c.budget.getUsageReport({ pool, groupBy: UsageGroupBy.POOL });
  return { requests: Number(total!.requests), inputTokens: Number(total!.inputTokens), outputTokens: Number(total!.outputTokens), costUsdMicros: Number(total!.costUsdMicros), cacheHits: Number(total!.cacheHits) };
}

async function streamEnd(c: Clients, text: string, pool: string) {
  let end;
  for await (const ev of c.inference.generateStream({ model: "o1", messages: [user(text)], sampling: { temperature: 0 }, budgetPool: pool })) {
    if (ev.event.case === "end") end = ev.event.value;
  }
  return end!;
}

describe("hits are free by default, and recorded", () => {
  it("unary: the hit costs 0, the balance holds the first answer only, the report counts both", async () => {
    const c = clients(servers[0]!);
    const ask = () => c.inference.generate({ model: "o1", messages: [user("free unary words")], sampling: { temperature: 0 }, budgetPool: "free-unary" });
    const first = await ask();
    expect(first.usage).toMatchObject({ ...FAKE, costUsdMicros: BigInt(O1_COST), cacheHit: false, budgetPool: "free-unary" });
    const hit = await ask();
    expect(hit.usage).toMatchObject({ ...FAKE, costUsdMicros: 0n, cacheHit: true, budgetPool: "free-unary", provider: "fake" });
    expect(await balance(c, "free-unary")).toEqual({ usedTokens: 10, reservedTokens: 0, usedUsdMicros: O1_COST, reservedUsdMicros: 0 });
    expect(await report(c, "free-unary")).toEqual({ requests: 2, inputTokens: 12, outputTokens: 8, costUsdMicros: O1_COST, cacheHits: 1 });
  });

  it("stream: the replayed end event says cache_hit, cost 0, and names the pool", async () => {
    const c = clients(servers[0]!);
    expect((await streamEnd(c, "free stream words", "free-stream")).usage).toMatchObject({ ...FAKE, costUsdMicros: BigInt(O1_COST), cacheHit: false });
    expect((await streamEnd(c, "free stream words", "free-stream")).usage).toMatchObject({ ...FAKE, costUsdMicros: 0n, cacheHit: true, budgetPool: "free-stream" });
    expect(await balance(c, "free-stream")).toEqual({ usedTokens: 10, reservedTokens: 0, usedUsdMicros: O1_COST, reservedUsdMicros: 0 });
    expect(await report(c, "free-stream")).toEqual({ requests: 2, inputTokens: 12, outputTokens: 8, costUsdMicros: O1_COST, cacheHits: 1 });
  });

  it("a hit naming a pool that does not exist is InvalidArgument, as a miss would be", async () => {
    const c = clients(servers[0]!);
    await c.inference.generate({ model: "o1", messages: [user("pool check words")], sampling: { temperature: 0 }, budgetPool: "free-unary" });
    const err = await c.inference
      .generate({ model: "o1", messages: [user("pool check words")], sampling: { temperature: 0 }, budgetPool: "nope" })
      .then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.InvalidArgument);
    expect(err?.rawMessage).toContain('budget_pool: budget pool "nope" not found');
  });
});

describe("[cache] charge_hits = true", () => {
  it("unary: a hit is charged its tokens and price, under its own reservation", async () => {
    const c = clients(servers[1]!);
    const ask = () => c.inference.generate({ model: "o1", messages: [user("paid unary words")], sampling: { temperature: 0 }, budgetPool: "paid-unary" });
    await ask();
    const hit = await ask();
    expect(hit.usage).toMatchObject({ ...FAKE, costUsdMicros: BigInt(O1_COST), cacheHit: true, budgetPool: "paid-unary" });
    expect(await balance(c, "paid-unary")).toEqual({ usedTokens: 20, reservedTokens: 0, usedUsdMicros: 2 * O1_COST, reservedUsdMicros: 0 });
    expect(await report(c, "paid-unary")).toEqual({ requests: 2, inputTokens: 12, outputTokens: 8, costUsdMicros: 2 * O1_COST, cacheHits: 1 });
  });

  it("stream: the replayed stream's end event carries the charged usage", async () => {
    const c = clients(servers[1]!);
    await streamEnd(c, "paid stream words", "paid-stream");
    expect((await streamEnd(c, "paid stream words", "paid-stream")).usage).toMatchObject({ ...FAKE, costUsdMicros: BigInt(O1_COST), cacheHit: true, budgetPool: "paid-stream" });
    expect(await balance(c, "paid-stream")).toEqual({ usedTokens: 20, reservedTokens: 0, usedUsdMicros: 2 * O1_COST, reservedUsdMicros: 0 });
  });

  it("a hit the pool cannot hold is refused, and the pool stays exact", async () => {
    const c = clients(servers[1]!);
    const ask = () => c.inference.generate({ model: "o1", messages: [user("small pool words")], sampling: { temperature: 0 }, budgetPool: "paid-small" });
    await ask(); // 10 of 25
    expect((await ask()).usage?.cacheHit).toBe(true); // 20 of 25
    const err = await ask().then(() => undefined, (e: unknown) => ConnectError.from(e)); // 6 prompt + 1 output do not fit in 5
    expect(err?.code).toBe(Code.ResourceExhausted);
    expect(err?.rawMessage).toContain("paid-small");
    expect(await balance(c, "paid-small")).toMatchObject({ usedTokens: 20, reservedTokens: 0 });
  });
});
