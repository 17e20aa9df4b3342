// Micro benchmark: the accounting around one request, in process, memory store:
//   estimate (tokenize 5 messages with the real o200k BPE, price them)
//   + reserve + commit (cost, pool, usage record)
// beside the Rust original's "budget reserve+report 32 ns". Also the parts
// alone: estimate only, and begin+commit with the approximate counter.
// Run: node --import tsx bench/micro/accounting.ts [OPS]
import { create } from "@bufbuild/protobuf";
import { Role, UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Accounting } from "../../server/core/accounting/accounting.js";
import { chatPromptTokens } from "../../server/core/accounting/estimate.js";
import { BudgetLedger } from "../../server/core/budget/ledger.js";
import type { CallContext } from "../../server/providers/provider.js";
import { MemoryBudgetStore } from "../../server/store/memory/budget-store.js";
import { MemoryOutbox } from "../../server/store/memory/outbox.js";

const OPS = Number(process.argv[2] ?? 20_000);
const RUST_NS = 32;
const TEXTS = [
  "You are a helpful assistant.",
  "What is the capital of France? Please answer briefly.",
  "Paris is the capital of France.",
  "And what about Germany, and why is it historically significant?",
  "Berlin. It has been the capital since reunification in 1990, and before that of Prussia.",
];
const ROLES = [Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT];
const request = (model: string) =>
  create(GenerateRequestSchema, {
    model,
    budgetPool: "p",
    sampling: { maxTokens: 256 },
    messages: TEXTS.map((t, i) => ({ role: ROLES[i] ?? Role.USER, content: [{ part: { case: "text" as const, value: t } }] })),
  });
const call: CallContext = { signal: new AbortController().signal, requestId: "bench" };

const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function measure(name: string, op: () => Promise<unknown> | unknown): Promise<{ name: string; ns: number }> {
  for (let i = 0; i < OPS / 10; i++) await op();
  const times: number[] = [];
  for (let i = 0; i < OPS; i++) {
    const t0 = process.hrtime.bigint();
    await op();
    times.push(Number(process.hrtime.bigint() - t0));
  }
  return { name, ns: median(times) };
}

const store = new MemoryBudgetStore();
const ledger = new BudgetLedger(store);
await ledger.createPool("p", { capacityTokens: Number.MAX_SAFE_INTEGER, period: "daily" });
const accounting = new Accounting({ ledger, outbox: new MemoryOutbox(), requestTimeoutMs: 600_000 });
const gpt = request("gpt-4o-mini");
const claude = request("claude-sonnet-4-5");
const count = await accounting.tokenizer.counter("gpt-4o-mini");

const perRequest = (req: typeof gpt) => async () => {
  const charge = await accounting.begin({ kind: "chat", req }, call);
  await charge.commit(create(UsageSchema, { inputTokens: 70, outputTokens: 30, provider: "bench" }), req.model);
};

const rows = [
  await measure("estimate only: tokenize 5 messages (o200k BPE)", () => chatPromptTokens(gpt, count)),
  await measure("estimate + reserve + commit, gpt-4o-mini (exact tokenizer)", perRequest(gpt)),
  await measure("estimate + reserve + commit, claude (chars/4 approximation)", perRequest(claude)),
];
console.log(`accounting per request, memory store, median of ${OPS} (node ${process.version})`);
console.log("| what | median ns | vs Rust reserve+report 32 ns |");
console.log("| --- | ---: | ---: |");
for (const r of rows) console.log(`| ${r.name} | ${r.ns} | ${(r.ns / RUST_NS).toFixed(0)}× |`);
