// Two, then three hoosh processes sharing one real redis-server enforce one budget pool exactly,
// under a burst that saturates them: 1,500 concurrent requests, half over gRPC and half over the
// REST shim, spread over the replicas, against a pool a third of their total need, while a
// busy-loop process of the test's own keeps a core taken. Checked:
// - no overspend: at every sampled moment used + reserved <= capacity, and used <= capacity at the end;
// - exact: used == the sum of the pool's usage records == the sum of what the callers were told;
// - refusals are the pool's (RESOURCE_EXHAUSTED / 429) only: no "budget store unavailable" while
//   Redis is healthy (store timeouts measure Redis, not a saturated event loop);
// - nothing stays reserved.
import { spawn, type ChildProcess } from "node:child_process";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BudgetService, UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { user } from "./helpers.js";

const REQUESTS = 1500;
/** About a third of what 1,500 requests reserve (each holds ~47 tokens: prompt + max_tokens 30). */
const CAPACITY = 23_500;

let redis: RedisServer;
let fake: FakeOpenAI;
let replicas: Hoosh[] = [];

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeOpenAI();
}, 60_000);

afterEach(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  replicas = [];
});

afterAll(async () => {
  await fake?.stop();
  await redis?.stop();
});

const config = (prefix: string) => `
[store]
kind = "redis"
url = "${redis.url}"
prefix = "${prefix}"

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

/** A process of the test's own spinning on one core for as long as the burst lasts. */
function busyLoop(): ChildProcess {
  return spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
}

interface Outcome {
  admitted: number;
  refused: number;
  told: number;
  unavailable: string[];
  other: string[];
}

describe.each([2, 3])("%i replicas on one Redis", (count) => {
  it(`${REQUESTS} concurrent requests over gRPC and REST: no overspend, exact usage, no store timeouts`, { timeout: 180_000 }, async () => {
    const prefix = `r${count}:`;
    replicas = await Promise.all(Array.from({ length: count }, () => startHoosh(config(prefix))));
    const sessions = replicas.map((r) => new Http2SessionManager(r.url));
    const grpc = replicas.map((r, i) => createClient(InferenceService, createGrpcTransport({ baseUrl: r.url, sessionManager: sessions[i] })));
    const budget = createClient(BudgetService, createGrpcTransport({ baseUrl: replicas[0]!.url }));

    let sampling = true;
    let worst = 0;
    const sampler = (async () => {
      while (sampling) {
        const pool = (await budget.getPool({ name: "shared" })).pool!;
        worst = Math.max(worst, Number(pool.usedTokens + pool.reservedTokens));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const out: Outcome = { admitted: 0, refused: 0, told: 0, unavailable: [], other: [] };
    const refusedWith = (message: string, exhausted: boolean) => {
      if (/unavailable/i.test(message)) out.unavailable.push(message);
      else if (!exhausted || !message.includes('"shared"')) out.other.push(message);
      else out.refused++;
    };
    const overGrpc = async (i: number) => {
      try {
        const res = await grpc[i % count]!.generate({
          model: "gpt-4o-mini",
          budgetPool: "shared",
          sampling: { maxTokens: 30 },
          messages: [user(`request number ${i} asks for a short answer`)],
        });
        out.admitted++;
        out.told += res.usage!.inputTokens + res.usage!.outputTokens;
      } catch (err) {
        refusedWith(String(err), /ResourceExhausted|resource_exhausted/.test(String(err)));
      }
    };
    const overRest = async (i: number) => {
      const res = await fetch(`${replicas[i % count]!.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hoosh-budget-pool": "shared" },
        body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 30, messages: [{ role: "user", content: `request number ${i} asks for a short answer` }] }),
      });
      const body = (await res.json()) as { usage?: { prompt_tokens: number; completion_tokens: number }; error?: { message: string } };
      if (res.status === 200) {
        out.admitted++;
        out.told += body.usage!.prompt_tokens + body.usage!.completion_tokens;
      } else {
        refusedWith(`${res.status} ${body.error?.message}`, res.status === 429);
      }
    };

    const burner = busyLoop();
    try {
      await Promise.all(Array.from({ length: REQUESTS }, (_, i) => (i % 2 === 0 ? overGrpc(i) : overRest(i))));
    } finally {
      burner.kill("SIGKILL");
      sampling = false;
      await sampler;
      sessions.forEach((s) => s.abort());
    }

    const other = createClient(BudgetService, createGrpcTransport({ baseUrl: replicas[count - 1]!.url }));
    const pool = (await other.getPool({ name: "shared" })).pool!;
    const report = (await other.getUsageReport({ pool: "shared", groupBy: UsageGroupBy.POOL })).total!;
    const recorded = Number(report.inputTokens + report.outputTokens);
    console.log(
      `${count} replicas: admitted ${out.admitted}, refused ${out.refused} (pool exhausted), unavailable ${out.unavailable.length}; ` +
        `used ${pool.usedTokens} of ${CAPACITY}, worst sampled used+reserved ${worst}; told ${out.told}, recorded ${recorded} in ${report.requests} records`,
    );
    expect(out.unavailable).toEqual([]);
    expect(out.other).toEqual([]);
    expect(out.admitted + out.refused).toBe(REQUESTS);
    expect(out.refused).toBeGreaterThan(0); // the pool really was smaller than the total need
    expect(worst).toBeLessThanOrEqual(CAPACITY);
    expect(Number(pool.usedTokens)).toBeLessThanOrEqual(CAPACITY);
    expect(pool.reservedTokens).toBe(0n);
    expect(Number(pool.usedTokens)).toBe(out.told);
    expect(recorded).toBe(out.told);
    expect(Number(report.requests)).toBe(out.admitted);
  });
});
