// The response cache through a real hoosh: a repeated deterministic request
// is a hit (marked, cost 0, budget not charged again), over gRPC and REST,
// unary and streaming, and GetCacheStats counts it.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";

let fake: FakeOpenAI;
let hoosh: Hoosh;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl, '[[budgets]]\nname = "default"\ncapacity = 100000\n'));
});
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

const ask = (text: string, temperature?: number) => ({
  model: "gpt-4o-mini",
  messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }],
  sampling: { temperature },
});

it("unary: the second identical deterministic request is a hit, not charged, not sent upstream", async () => {
  const transport = createGrpcTransport({ baseUrl: hoosh.url });
  const inference = createClient(InferenceService, transport);
  const budget = createClient(BudgetService, transport);
  await fake.reset();
  const first = await inference.generate(ask("cache me", 0));
  const usedAfterFirst = (await budget.getPool({ name: "default" })).pool!.usedTokens;
  const second = await inference.generate(ask("cache me", 0));
  expect(first.usage?.cacheHit).toBe(false);
  expect(second.usage?.cacheHit).toBe(true);
  expect(second.usage?.costUsdMicros).toBe(0n);
  expect(second.message).toEqual(first.message);
  expect((await budget.getPool({ name: "default" })).pool!.usedTokens).toBe(usedAfterFirst);
  const upstreamCalls = (await fake.events()).filter((e) => e.type === "request" && e.path === "/v1/chat/completions");
  expect(upstreamCalls).toHaveLength(1);
  // Non-deterministic requests (no temperature 0, no seed) are not cached by default.
  expect((await inference.generate(ask("cache me"))).usage?.cacheHit).toBe(false);
  const stats = await inference.getCacheStats({});
  expect(stats.hits).toBeGreaterThanOrEqual(1n);
});

it("streaming: a repeated stream is replayed from the cache with the same events", async () => {
  const inference = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url }));
  const collect = async () => {
    const out = [];
    for await (const ev of inference.generateStream(ask("stream me", 0))) out.push(ev);
    return out;
  };
  const first = await collect();
  const second = await collect();
  const texts = (evs: typeof first) => evs.flatMap((e) => (e.event.case === "text" ? [e.event.value.text] : []));
  expect(texts(second)).toEqual(texts(first));
  const end = second.at(-1)!.event;
  expect(end.case === "end" && end.value.usage?.cacheHit).toBe(true);
});

it("REST: x-hoosh-cache says hit on the repeat", async () => {
  const post = () =>
    fetch(`${hoosh.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", temperature: 0, messages: [{ role: "user", content: "rest cache" }] }),
    });
  const a = await post();
  await a.arrayBuffer();
  const b = await post();
  await b.arrayBuffer();
  expect(a.headers.get("x-hoosh-cache")).toBe("miss");
  expect(b.headers.get("x-hoosh-cache")).toBe("hit");
});
