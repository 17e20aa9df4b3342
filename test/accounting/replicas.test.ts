// Two hoosh processes sharing one real redis-server enforce one budget pool
// exactly: 1,000 concurrent requests split across both against a pool smaller
// than their total need. At every sampled moment used + reserved stays within
// capacity; at the end nothing is left reserved and used equals the sum of
// the usage both replicas committed.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";

const CAPACITY = 20_000;
const REQUESTS = 1000;

let redis: RedisServer;
let fake: FakeOpenAI;
const replicas: Hoosh[] = [];

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeOpenAI();
  const config = `
[store]
kind = "redis"
url = "${redis.url}"

[cache]
mode = "off"

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["*"]
breaker = { failures = 100000 }

[[budgets]]
name = "shared"
capacity = ${CAPACITY}
`;
  replicas.push(await startHoosh(config), await startHoosh(config));
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await fake?.stop();
  await redis?.stop();
});

it("1,000 concurrent requests across two replicas never over-commit the shared pool", { timeout: 120_000 }, async () => {
  const sessions = replicas.map((r) => new Http2SessionManager(r.url));
  const transports = replicas.map((r, i) => createGrpcTransport({ baseUrl: r.url, sessionManager: sessions[i] }));
  const clients = transports.map((t) => createClient(InferenceService, t));
  const budget = createClient(BudgetService, transports[0]!);

  let sampling = true;
  let worst = 0;
  const sampler = (async () => {
    while (sampling) {
      const pool = (await budget.getPool({ name: "shared" })).pool!;
      worst = Math.max(worst, Number(pool.usedTokens + pool.reservedTokens));
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  let committed = 0;
  let admitted = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const request = {
        model: "gpt-4o-mini",
        budgetPool: "shared",
        sampling: { maxTokens: 30 },
        messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: `request number ${i} asks for a short answer` } }] }],
      };
      try {
        const res = await clients[i % 2]!.generate(request);
        admitted++;
        committed += (res.usage?.inputTokens ?? 0) + (res.usage?.outputTokens ?? 0);
      } catch (err) {
        refused++;
        expect(String(err)).toContain('"shared"');
      }
    }),
  );
  sampling = false;
  await sampler;
  sessions.forEach((s) => s.abort());

  const pool = (await createClient(BudgetService, createGrpcTransport({ baseUrl: replicas[1]!.url })).getPool({ name: "shared" })).pool!;
  console.log(`admitted ${admitted}, refused ${refused}, used ${pool.usedTokens} of ${CAPACITY}, worst sampled used+reserved ${worst}`);
  expect(admitted + refused).toBe(REQUESTS);
  expect(refused).toBeGreaterThan(0); // the pool really was smaller than the total need
  expect(admitted).toBeGreaterThan(0);
  expect(worst).toBeLessThanOrEqual(CAPACITY);
  expect(pool.reservedTokens).toBe(0n);
  expect(Number(pool.usedTokens)).toBe(committed);
  expect(Number(pool.usedTokens)).toBeLessThanOrEqual(CAPACITY);
});
