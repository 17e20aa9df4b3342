// The semantic cache through a real hoosh and a fake OpenAI upstream whose
// "fake-words-embedding" model gives bag-of-words vectors: a rephrased question gets the stored
// answer without a chat call upstream; a different question (5 of 6 words shared: cosine 0.83)
// does not at threshold 0.9; the embeddings are charged to the pool like any.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetService, UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { runHoosh } from "../harness/cli.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

let fake: FakeOpenAI;
let hoosh: Hoosh;
const config = (extra: string) => fakeProviderConfig(fake.baseUrl, `\n[cache]\n${extra}\n\n[[budgets]]\nname = "sem"\ncapacity = 1000000\n`);

beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(config('semantic_model = "fake-words-embedding"\nsemantic_threshold = 0.9'));
}, 30_000);
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

const ask = (question: string) => ({
  model: "gpt-4o-mini",
  budgetPool: "sem",
  messages: [{ role: Role.SYSTEM, content: [{ part: { case: "text" as const, value: "Be brief." } }] }, { role: Role.USER, content: [{ part: { case: "text" as const, value: question } }] }],
  sampling: { temperature: 0 },
});
const answerOf = (res: { message?: { content: { part: { case?: string; value?: unknown } }[] } }) => String(res.message?.content[0]?.part.value ?? "");

async function upstream(path: string): Promise<number> {
  return (await fake.events()).filter((e) => e.type === "request" && e.path === path).length;
}

describe("semantic cache", () => {
  it("a rephrased question is answered from the cache; another question is not", async () => {
    const transport = createGrpcTransport({ baseUrl: hoosh.url });
    const client = createClient(InferenceService, transport);
    await fake.reset();
    const first = await client.generate(ask("What is the capital of France?"));
    expect(first.usage?.cacheHit).toBe(false);
    const rephrased = await client.generate(ask("what is the capital of france"));
    expect(rephrased.usage).toMatchObject({ cacheHit: true, costUsdMicros: 0n, budgetPool: "sem" });
    expect(answerOf(rephrased)).toBe(answerOf(first));
    const other = await client.generate(ask("What is the capital of Spain?"));
    expect(other.usage?.cacheHit).toBe(false);
    expect(answerOf(other)).not.toBe(answerOf(first));
    expect(await upstream("/v1/chat/completions")).toBe(2);
    expect(await upstream("/v1/embeddings")).toBe(3);

    // Every request and every embedding is one usage record; only the rephrased one is a hit.
    const budget = createClient(BudgetService, transport);
    const { total } = await budget.getUsageReport({ pool: "sem", groupBy: UsageGroupBy.POOL });
    expect([Number(total!.requests), Number(total!.cacheHits)]).toEqual([6, 1]);
  });

  it("streams: a rephrased question is replayed from the stored answer, also across unary and stream", async () => {
    const transport = createGrpcTransport({ baseUrl: hoosh.url });
    const client = createClient(InferenceService, transport);
    await fake.reset();
    const stream = async (question: string) => {
      let text = "";
      let end;
      for await (const ev of client.generateStream(ask(question))) {
        if (ev.event.case === "text") text += ev.event.value.text;
        if (ev.event.case === "end") end = ev.event.value;
      }
      return { text, usage: end!.usage, message: end!.message };
    };
    const first = await stream("How many legs does a spider have?");
    expect(first.usage?.cacheHit).toBe(false);
    const again = await stream("how many legs does a spider have");
    expect(again.usage).toMatchObject({ cacheHit: true, costUsdMicros: 0n });
    expect(again.text).toBe(first.text);
    expect(answerOf({ message: again.message })).toBe(first.text); // the end event carries the whole message
    // A unary request asking the same thing in other words gets the answer the stream stored.
    const unary = await client.generate(ask("How many legs does a spider have"));
    expect(unary.usage?.cacheHit).toBe(true);
    expect(answerOf(unary)).toBe(first.text);
    expect(await upstream("/v1/chat/completions")).toBe(1);
  });

  it("a semantic_model no provider serves fails `config check` and startup, naming the key", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hoosh-semantic-"));
    try {
      const file = join(dir, "hoosh.toml");
      await writeFile(file, config('semantic_model = "no-such-embedder"').replace('models = ["*"]', 'models = ["gpt-*"]'));
      for (const args of [["config", "check", file], ["serve", "--config", file, "--port", "0"]]) {
        const res = await runHoosh(args, { timeoutMs: 20_000 });
        expect(res.code).toBe(2);
        expect(res.stderr).toContain('hoosh.toml: cache.semantic_model: no provider serves model "no-such-embedder"');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
