// Faults between a real hoosh and a real redis-server (a TCP proxy in front of Redis injects
// them per command): for each fault, N calls charge exactly N x their usage, the pool's balance
// equals the sum of its usage records, and nothing stays reserved.
// - a commit's reply arrives after the 1 s bound (the commit ran: the retry must not charge again),
// - the connection is cut right after a commit is sent (it ran; the client never hears),
// - all traffic held while commits are in flight (they run late, after hoosh gave up on them),
// - hoosh killed (kill -9) while its commits wait in the outbox (held: they never reached Redis):
//   the next process on the same store and outbox file settles them.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { startRedisFaultProxy, type Fault, type RedisFaultProxy } from "../harness/redis-fault-proxy.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { balance, clients, eventually, reportTotal, user, type Clients } from "./helpers.js";

const N = 6;
const PASS: Fault = { kind: "pass" };

let redis: RedisServer;
let proxy: RedisFaultProxy;
let fake: FakeOpenAI;
let dir: string;
let hoosh: Hoosh;
let c: Clients;

const POOLS = ["delayed", "dropped", "paused", "killed"];

const config = () =>
  fakeProviderConfig(
    fake.baseUrl,
    `
[store]
kind = "redis"
url = "${proxy.url}"
outbox_path = "${join(dir, "outbox.db")}"

[cache]
mode = "off"
${POOLS.map((name) => `\n[[budgets]]\nname = "${name}"\ncapacity = 10000000\n`).join("")}`,
  );

/** A budget commit: the finish script (EVALSHA or EVAL) with status "committed". */
const isCommit = (args: readonly string[]) => /^eval(sha)?$/i.test(args[0] ?? "") && args.includes("committed");
/** The reservation id a finish script names (ARGV[7]: after the command, the SHA and numkeys). */
const reservationOf = (args: readonly string[]) => args[9] ?? "";

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startRedisFaultProxy(redis.port);
  fake = await startFakeOpenAI({ slowMs: 1500 });
  dir = await mkdtemp(join(tmpdir(), "hoosh-faults-"));
  hoosh = await startHoosh(config());
  c = clients(hoosh);
}, 60_000);

afterAll(async () => {
  await hoosh?.stop();
  await proxy?.close();
  await fake?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** N calls to the pool; the tokens each caller was told it used. */
async function calls(pool: string, model = "gpt-4o-mini"): Promise<number[]> {
  return Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const res = await c.inference.generate({ model, budgetPool: pool, sampling: { maxTokens: 20 }, messages: [user(`${pool} call ${i}`)] });
      return res.usage!.inputTokens + res.usage!.outputTokens;
    }),
  );
}

async function outboxPending(h: Hoosh): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  return Number(/^hoosh_budget_outbox_pending (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Waits until the outbox is empty, then checks balance == records == what callers were told. */
async function expectExact(pool: string, told: number[]): Promise<void> {
  await eventually(async () => expect(await outboxPending(hoosh)).toBe(0), 30_000);
  const sum = told.reduce((a, b) => a + b, 0);
  const [b, report] = [await balance(c, pool), await reportTotal(c, pool)];
  console.log(`${pool}: ${told.length} calls told ${sum} tokens; used ${b.usedTokens}, reserved ${b.reservedTokens}; ${report.requests} records, ${report.inputTokens + report.outputTokens} tokens`);
  expect({ used: b.usedTokens, reserved: b.reservedTokens }).toEqual({ used: sum, reserved: 0 });
  expect({ records: report.requests, tokens: report.inputTokens + report.outputTokens }).toEqual({ records: told.length, tokens: sum });
}

describe("a real hoosh on Redis behind a fault-injecting proxy", () => {
  it("commit replies delayed past the 1 s bound: each call charged once", { timeout: 90_000 }, async () => {
    proxy.setRule((args) => (isCommit(args) ? { kind: "delay", ms: 1300 } : PASS));
    const delayedBefore = proxy.injected.delayed;
    const told = await calls("delayed");
    expect(proxy.injected.delayed - delayedBefore).toBeGreaterThanOrEqual(N);
    expect(await outboxPending(hoosh)).toBeGreaterThan(0); // the late replies were given up on: retried from the outbox
    proxy.setRule(() => PASS);
    await expectExact("delayed", told);
  });

  it("the connection cut right after each commit is sent: each call charged once", { timeout: 90_000 }, async () => {
    const seen = new Set<string>();
    proxy.setRule((args) => {
      if (!isCommit(args) || seen.has(reservationOf(args))) return PASS;
      seen.add(reservationOf(args));
      return { kind: "drop" };
    });
    const droppedBefore = proxy.injected.dropped;
    const told = await calls("dropped");
    expect(proxy.injected.dropped - droppedBefore).toBeGreaterThan(0);
    await expectExact("dropped", told);
    proxy.setRule(() => PASS);
  });

  it("all traffic held while the commits are sent: they run late, each call charged once", { timeout: 90_000 }, async () => {
    await fake.reset();
    // Slow answers: every call is reserved and waiting on the upstream when Redis goes quiet.
    const pending = calls("paused", "fake-slow-first-byte");
    await eventually(async () => expect((await fake.events()).filter((e) => e.type === "request").length).toBeGreaterThanOrEqual(N), 20_000);
    proxy.pause();
    const told = await pending; // answered: their commits timed out into the outbox
    proxy.resume();
    await expectExact("paused", told);
  });

  it("kill -9 while commits wait in the outbox: the next process settles them, once", { timeout: 90_000 }, async () => {
    await fake.reset();
    const pending = calls("killed", "fake-slow-first-byte");
    await eventually(async () => expect((await fake.events()).filter((e) => e.type === "request").length).toBeGreaterThanOrEqual(N), 20_000);
    proxy.pause(); // reserved; their commits will never reach Redis
    const told = await pending;
    expect(await outboxPending(hoosh)).toBe(N);
    process.kill(hoosh.pid, "SIGKILL");
    await hoosh.stop();
    proxy.resume(); // the held commit frames went with the killed connections: they never ran
    hoosh = await startHoosh(config());
    c = clients(hoosh);
    await expectExact("killed", told);
  });
});
