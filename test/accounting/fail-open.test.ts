// [store] on_unavailable = "fail-open" through a real hoosh on a real redis-server: while Redis
// answers nothing (SIGSTOP), requests are still served (no reservation, no rate check) and their
// usage waits; once Redis is back the pool's used tokens equal the sum of every usage the callers
// were told, exactly. The default, fail-closed, refuses with UNAVAILABLE (rate-limits-replicas).
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { eventually, user } from "./helpers.js";

let redis: RedisServer;
let fake: FakeOpenAI;
let hoosh: Hoosh;
beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(
    fakeProviderConfig(
      fake.baseUrl,
      `
[store]
kind = "redis"
url = "${redis.url}"
on_unavailable = "fail-open"

[cache]
mode = "off"

[[budgets]]
name = "open"
capacity = 1000000
rpm = 1000
`,
    ),
  );
}, 30_000);
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
  redis?.resume();
  await redis?.stop();
});

it("serves while Redis answers nothing, then charges every usage once it is back", { timeout: 60_000 }, async () => {
  const transport = createGrpcTransport({ baseUrl: hoosh.url });
  const inference = createClient(InferenceService, transport);
  const budget = createClient(BudgetService, transport);
  const ask = async (i: number) => {
    const res = await inference.generate({ model: "gpt-4o-mini", budgetPool: "open", messages: [user(`fail open ${i}`)] });
    return res.usage!.inputTokens + res.usage!.outputTokens;
  };

  let told = await ask(0); // Redis up: reserved and committed as usual
  redis.pause();
  const during = await Promise.all([1, 2, 3].map(ask));
  told += during.reduce((a, b) => a + b, 0);
  expect(during.every((t) => t > 0)).toBe(true);
  // A scrape while the store is unreachable still answers, and says so.
  const scrape = await fetch(`${hoosh.url}/metrics`);
  expect(scrape.status).toBe(200);
  expect(await scrape.text()).toMatch(/^hoosh_budget_store_up 0$/m);
  redis.resume();

  // Reservation scripts sent while Redis was stopped run when it resumes; their requests went on
  // without them, so the store releases those holds once Redis answers (they are never used).
  await eventually(async () => {
    const pool = (await budget.getPool({ name: "open" })).pool!;
    expect({ used: Number(pool.usedTokens), reserved: Number(pool.reservedTokens) }).toEqual({ used: told, reserved: 0 });
  }, 15_000);
  expect(await (await fetch(`${hoosh.url}/metrics`)).text()).toMatch(/^hoosh_budget_store_up 1$/m);
  console.log(`fail-open: told ${told} tokens (3 of 4 requests while Redis was paused); after it resumed used ${told}, reserved 0`);
  const report = await budget.getUsageReport({ pool: "open" });
  expect(Number(report.total!.requests)).toBe(4);
});
