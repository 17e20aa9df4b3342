// Usage records and budget pools through a real hoosh: exact commits for
// unary and stream calls, release on cancel, counted output when the provider
// reports none, over-budget errors (gRPC and REST 429 + Retry-After),
// fallback committing once, and 100 concurrent requests against a small pool.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { Tokenizer } from "../../server/core/accounting/tokenizer.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { balance, clients, eventually, reportTotal, user, type Clients } from "./helpers.js";

let fake: FakeOpenAI;
let hoosh: Hoosh;
let c: Clients;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const extra = `
headers = { "x-fake-cached-tokens" = "2" }

[[providers]]
name = "nousage"
preset = "localai"
base_url = "${fake.baseUrl}"
models = ["gpt-4o-mini"]
priority = 1

[[providers]]
name = "broken"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["o3"]
priority = 1
headers = { "x-fake-force-status" = "500" }
breaker = { failures = 1000 }

[router]
backoff_ms = 1

${["unary", "stream", "cancel", "counted", "fb", "rest"].map((n) => `[[budgets]]\nname = "${n}"\ncapacity = 100000\n`).join("\n")}
[[budgets]]
name = "tiny"
capacity = 50
period = "hourly"

[[budgets]]
name = "crowd"
capacity = 1000

[[budgets]]
name = "spent"
capacity = 50
`;
  hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl, extra));
  c = clients(hoosh);
});
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

// The fake's usage for "hello there world": 3 words + 3 per message in, 4 word chunks out, 2 cached (header).
const FAKE = { inputTokens: 6, cachedInputTokens: 2, outputTokens: 4 };
// o1 at 15 / 7.5 / 60 USD per 1M: 4*15 + 2*7.5 + 4*60 = 315 micro-USD.
const O1_COST = 315;

describe("one usage record per request", () => {
  it("unary: commits exactly the provider's usage and its cost", async () => {
    const res = await c.inference.generate({ model: "o1", messages: [user("hello there world")], budgetPool: "unary" });
    expect(res.usage).toMatchObject({ ...FAKE, costUsdMicros: BigInt(O1_COST), provider: "fake", budgetPool: "unary", model: "o1" });
    expect(await balance(c, "unary")).toEqual({ usedTokens: 10, reservedTokens: 0, usedUsdMicros: O1_COST, reservedUsdMicros: 0 });
    expect(await reportTotal(c, "unary")).toEqual({ requests: 1, ...FAKE, costUsdMicros: O1_COST });
  });

  it("stream: commits the end event's usage (pool from request metadata)", async () => {
    let end;
    for await (const ev of c.inference.generateStream({ model: "o1", messages: [user("hello there world")], metadata: { budget_pool: "stream" } })) {
      if (ev.event.case === "end") end = ev.event.value;
    }
    expect(end!.usage).toMatchObject({ ...FAKE, costUsdMicros: BigInt(O1_COST), budgetPool: "stream" });
    expect(await balance(c, "stream")).toEqual({ usedTokens: 10, reservedTokens: 0, usedUsdMicros: O1_COST, reservedUsdMicros: 0 });
    expect(await reportTotal(c, "stream")).toEqual({ requests: 1, ...FAKE, costUsdMicros: O1_COST });
  });

  it("a stream the client cancels mid-way releases its reservation", async () => {
    const controller = new AbortController();
    const run = async () => {
      let texts = 0;
      const stream = c.inference.generateStream(
        { model: "fake-long-stream", messages: [user("go")] },
        { signal: controller.signal, headers: { "x-hoosh-budget-pool": "cancel" } },
      );
      for await (const ev of stream) {
        if (ev.event.case === "text" && ++texts === 3) {
          expect((await balance(c, "cancel")).reservedTokens).toBeGreaterThan(0);
          controller.abort();
        }
      }
    };
    await expect(run()).rejects.toThrow();
    await eventually(async () => {
      expect(await balance(c, "cancel")).toEqual({ usedTokens: 0, reservedTokens: 0, usedUsdMicros: 0, reservedUsdMicros: 0 });
    });
    expect((await reportTotal(c, "cancel")).requests).toBe(0);
  });

  it("a provider that reports no stream usage: the counted prompt and output are committed", async () => {
    let end;
    let text = "";
    for await (const ev of c.inference.generateStream({ model: "gpt-4o-mini", messages: [user("hello there world")], budgetPool: "counted" })) {
      if (ev.event.case === "text") text += ev.event.value.text;
      if (ev.event.case === "end") end = ev.event.value;
    }
    const count = await new Tokenizer().counter("gpt-4o-mini");
    const input = count("hello there world") + 3 + 3;
    const output = count(text);
    expect(text).toBe("echo: hello there world");
    // gpt-4o-mini: 0.15 in, 0.6 out per 1M; round half up.
    const cost = Math.floor((input * 150_000 + output * 600_000 + 500_000) / 1_000_000);
    expect(end!.usage).toMatchObject({ inputTokens: input, outputTokens: output, costUsdMicros: BigInt(cost), provider: "nousage" });
    expect(await balance(c, "counted")).toEqual({ usedTokens: input + output, reservedTokens: 0, usedUsdMicros: cost, reservedUsdMicros: 0 });
  });

  it("fallback from a failing provider to a working one commits exactly once", async () => {
    await fake.reset();
    const res = await c.inference.generate({ model: "o3", messages: [user("hello there world")], budgetPool: "fb" });
    expect(res.usage?.provider).toBe("fake");
    // Both providers were called: the broken one first (500), then the working one.
    expect((await fake.events()).filter((e) => e.type === "request" && e.model === "o3")).toHaveLength(2);
    // o3 at 2 / 0.5 / 8: 4*2 + 2*0.5 + 4*8 = 41
    expect(await balance(c, "fb")).toEqual({ usedTokens: 10, reservedTokens: 0, usedUsdMicros: 41, reservedUsdMicros: 0 });
    expect(await reportTotal(c, "fb")).toEqual({ requests: 1, ...FAKE, costUsdMicros: 41 });
  });
});

describe("budget errors", () => {
  it("over the pool's remaining capacity: ResourceExhausted naming the pool, with retry-after", async () => {
    const req = { model: "o1", messages: [user("hello there world")], budgetPool: "tiny", sampling: { maxTokens: 100 } };
    const err = await c.inference.generate(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    const ce = err as ConnectError;
    expect(ce.code).toBe(Code.ResourceExhausted);
    // 3 prompt tokens + 3 framing + 3 priming + 100 output
    expect(ce.rawMessage).toBe('budget pool "tiny" has 50 tokens available, request needs 109');
    const retryAfter = Number(ce.metadata.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await balance(c, "tiny")).toEqual({ usedTokens: 0, reservedTokens: 0, usedUsdMicros: 0, reservedUsdMicros: 0 });
  });

  it("REST /v1/chat/completions answers 429 with Retry-After", async () => {
    const res = await fetch(`${hoosh.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hoosh-budget-pool": "tiny" },
      body: JSON.stringify({ model: "o1", max_tokens: 100, messages: [{ role: "user", content: "hello there world" }] }),
    });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe("rate_limit_error");
    expect(body.error.message).toContain('budget pool "tiny"');
  });

  it("REST charges the pool named in x-hoosh-budget-pool", async () => {
    const res = await fetch(`${hoosh.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hoosh-budget-pool": "rest" },
      body: JSON.stringify({ model: "o1", messages: [{ role: "user", content: "hello there world" }] }),
    });
    expect(res.status).toBe(200);
    expect(await balance(c, "rest")).toEqual({ usedTokens: 10, reservedTokens: 0, usedUsdMicros: O1_COST, reservedUsdMicros: 0 });
  });

  it("an unknown pool named explicitly is InvalidArgument listing the pools", async () => {
    const err = (await c.inference.generate({ model: "o1", messages: [user("hi")], budgetPool: "nope" }).catch((e: unknown) => e)) as ConnectError;
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe('budget_pool: budget pool "nope" not found; the pools are cancel, counted, crowd, fb, rest, spent, stream, tiny, unary');
  });

  it("no pool named and no \"default\" pool: no budget applies, and the request still has its usage record", async () => {
    const before = (await c.budget.getUsageReport({ groupBy: UsageGroupBy.POOL })).rows.find((r) => r.group === "");
    const res = await c.inference.generate({ model: "o1", messages: [user("hello there world")] });
    expect(res.usage).toMatchObject({ costUsdMicros: BigInt(O1_COST), budgetPool: "" });
    await eventually(async () => {
      const row = (await c.budget.getUsageReport({ groupBy: UsageGroupBy.POOL })).rows.find((r) => r.group === "");
      expect(Number(row?.requests ?? 0) - Number(before?.requests ?? 0)).toBe(1);
      expect(Number(row?.costUsdMicros ?? 0) - Number(before?.costUsdMicros ?? 0)).toBe(O1_COST);
    });
  });

  it("a pool without a period never refills by waiting: no Retry-After, and the message says so (gRPC and REST)", async () => {
    const err = (await c.inference.generate({ model: "o1", messages: [user("hello there world")], budgetPool: "spent", sampling: { maxTokens: 100 } }).catch((e: unknown) => e)) as ConnectError;
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe('budget pool "spent" has 50 tokens available, request needs 109; the pool has no period, so it stays exhausted until its capacity is raised');
    expect(err.metadata.get("retry-after")).toBeNull();
    const res = await fetch(`${hoosh.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hoosh-budget-pool": "spent" },
      body: JSON.stringify({ model: "o1", max_tokens: 100, messages: [{ role: "user", content: "hello there world" }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("stays exhausted until its capacity is raised");
  });
});

it("100 concurrent requests never overdraw a small pool, and every admitted one settles", async () => {
  const outcomes = await Promise.all(
    Array.from({ length: 100 }, () =>
      c.inference
        .generate({ model: "o1", messages: [user("hello there world")], budgetPool: "crowd", sampling: { maxTokens: 50 } })
        .then(() => "ok", (e: unknown) => (e instanceof ConnectError && e.code === Code.ResourceExhausted ? "exhausted" : String(e))),
    ),
  );
  const ok = outcomes.filter((o) => o === "ok").length;
  expect(outcomes.filter((o) => o !== "ok" && o !== "exhausted")).toEqual([]);
  expect(ok).toBeGreaterThan(0);
  expect(ok).toBeLessThan(100);
  const b = await balance(c, "crowd");
  expect(b.reservedTokens).toBe(0);
  expect(b.usedTokens + b.reservedTokens).toBeLessThanOrEqual(1000);
  expect(b.usedTokens).toBe(10 * ok);
  expect((await reportTotal(c, "crowd")).requests).toBe(ok);
});
