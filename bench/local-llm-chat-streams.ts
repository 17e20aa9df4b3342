// Concurrent chat requests through the engine's own request path (LocalLlm.chat: admission slots,
// the GGUF's chat template, the default repetition penalty, stop detection, streamed text), the
// path hoosh's Inference service and REST edges call: aggregate output tokens/s of 1 request and
// of 4 at once on the embedded default config's 4 sequences, for each context layout
// (`--contexts`, default "1,2,4": the sequences spread over that many 1-thread contexts), layouts
// interleaved in one run so a busy machine skews all alike. Besides wall tok/s: output tokens per
// CPU-second of the process and its CPU share (100 % = one core). The prompts go in the GGUF's own
// format (chatTemplate "model"): the shipped file is the base model, which in the default few-shot
// format answers in 10–20 tokens; in its own format every request runs to max tokens.
// libuv's pool: UV_THREADPOOL_SIZE=8 matches what bin/hoosh.cjs (npm start) gives hoosh; unset, it is
// 4, all of them held by decodes when four contexts generate.
// Run: [UV_THREADPOOL_SIZE=8] node --import tsx bench/local-llm-chat-streams.ts [--runs N] [--tokens N] [--contexts LIST] [MODEL.gguf]
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { modelsDir } from "../server/engines/data-dir.js";
import { LocalLlm } from "../server/engines/llm/local-llm.js";
import { LlamaRuntime } from "../server/engines/llm/runtime.js";
import type { ChatOptions } from "../server/engines/llm/types.js";
import { loadavg, median } from "./lib/stats.js";

const { values, positionals } = parseArgs({
  options: { runs: { type: "string" }, tokens: { type: "string" }, contexts: { type: "string" } },
  allowPositionals: true,
});
const RUNS = Number(values.runs ?? 3);
const MAX_TOKENS = Number(values.tokens ?? 128);
const CONTEXTS = (values.contexts ?? "1,2,4").split(",").map(Number);
const SEQUENCES = 4;
const MODEL = positionals[0] ?? join(modelsDir(process.env), "gemma3-270m-q4_k_m.gguf");
if (!existsSync(MODEL)) throw new Error(`${MODEL} is absent: run scripts/setup-default-model.sh`);
for (const c of CONTEXTS) if (!(Number.isInteger(c) && c >= 1 && c <= SEQUENCES)) throw new Error(`--contexts: ${c} is not 1..${SEQUENCES}`);

// One question per concurrent request.
const QUESTIONS = [
  "Write a long story about a lighthouse keeper who finds a message in a bottle.",
  "Explain in detail how bread is made, from the field to the bakery.",
  "Describe a walk through a busy market town on a summer morning, in many details.",
  "Write a long letter from a sailor to his sister about his first voyage.",
];


function request(question: string, seed: number): ChatOptions {
  return {
    history: [{ type: "user", text: question }],
    format: { kind: "text" },
    sampling: { temperature: 0.2, topP: 0.95, topK: 40, minP: 0, seed },
    maxTokens: MAX_TOKENS,
    stop: [],
    signal: new AbortController().signal,
  };
}

/** `k` chat requests at once; output tokens over wall and CPU seconds. */
async function round(llm: LocalLlm, k: number, seed: number) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await Promise.all(QUESTIONS.slice(0, k).map((q, i) => llm.chat(request(q, seed + i))));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const tokens = results.reduce((sum, r) => sum + r.usage.outputTokens, 0);
  return { tokens, wall: tokens / seconds, cpu: tokens / cpuSeconds, share: cpuSeconds / seconds };
}

const runtime = new LlamaRuntime();
const layouts: { contexts: number; llm: LocalLlm }[] = [];
for (const contexts of CONTEXTS) {
  const llm = new LocalLlm(
    { name: `${contexts}x${SEQUENCES / contexts}`, modelPath: MODEL, threads: 1, contexts, contextSize: 2048, sequences: SEQUENCES, maxQueue: 0, load: "startup", idleUnloadMs: 0, chatTemplate: "model" },
    runtime,
  );
  await llm.warm();
  layouts.push({ contexts, llm });
}

type Entry = { wall: number[]; cpu: number[]; share: number[]; tokens: number[]; load: string[] };
const results = new Map<string, Entry>();
for (let run = 0; run <= RUNS; run++) {
  for (const { contexts, llm } of layouts) {
    for (const k of [1, 4]) {
      const r = await round(llm, k, run * 10);
      const line = `${contexts} context(s), ${k} request(s): ${r.tokens} tokens, ${r.wall.toFixed(1)} tok/s, ${r.cpu.toFixed(1)} per CPU-second, CPU ${(r.share * 100).toFixed(0)} % (load ${loadavg()})`;
      console.error(run === 0 ? `warm-up: ${line}` : line);
      if (run === 0) continue;
      const entry = results.get(`${contexts}|${k}`) ?? { wall: [], cpu: [], share: [], tokens: [], load: [] };
      entry.wall.push(r.wall);
      entry.cpu.push(r.cpu);
      entry.share.push(r.share);
      entry.tokens.push(r.tokens);
      entry.load.push(loadavg());
      results.set(`${contexts}|${k}`, entry);
    }
  }
}
for (const { llm } of layouts) await llm.close();
await runtime.dispose();

console.log(`\nEmbedded LLM, concurrent chat requests through LocalLlm.chat (${SEQUENCES} sequences, 1 thread per context, max ${MAX_TOKENS} output tokens per request, median of ${RUNS} runs)\n`);
console.log("| contexts × sequences | requests | output tokens | aggregate tok/s (wall) | tok per CPU-second | CPU (100 % = one core) | 4 requests / 1 request | load average during the runs |");
console.log("|---|---|---:|---:|---:|---:|---:|---|");
for (const { contexts } of layouts) {
  const one = results.get(`${contexts}|1`)!;
  const four = results.get(`${contexts}|4`)!;
  for (const [k, r] of [[1, one], [4, four]] as const) {
    const ratio = k === 4 ? `${(median(four.wall) / median(one.wall)).toFixed(2)}×` : "";
    console.log(`| ${contexts} × ${SEQUENCES / contexts} | ${k} | ${median(r.tokens)} | ${median(r.wall).toFixed(1)} | ${median(r.cpu).toFixed(1)} | ${(median(r.share) * 100).toFixed(0)} % | ${ratio} | ${r.load.join("; ")} |`);
  }
}
