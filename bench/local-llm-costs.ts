// What a decoded token of the embedded LLM costs, setting by setting: sampling (temperature,
// top-k, repeat penalty, greedy), context size, batch size, flash attention, mmap, and (when
// given) other GGUF files of the same model, e.g. re-quantized ones. Measured as tokens per
// CPU-second of this process (decode only, 1 thread), which other work on a shared machine
// disturbs far less than wall time; wall tok/s is printed too. Variants run interleaved, median
// of RUNS rounds. Run: node --import tsx bench/local-llm-costs.ts [--runs N] [EXTRA.gguf ...]
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import type { LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { modelsDir } from "../server/engines/data-dir.js";
import { LlamaRuntime } from "../server/engines/llm/runtime.js";
import { loadavg, median } from "./lib/stats.js";

const { values, positionals } = parseArgs({ options: { runs: { type: "string" } }, allowPositionals: true });
const RUNS = Number(values.runs ?? 3);
const MODEL = join(modelsDir(process.env), "gemma3-270m-q4_k_m.gguf");
const DECODE_TOKENS = 96;

/** repeat: punish the last 64 tokens (LlamaChat's default penalty 1.1, which chat requests get). */
type Sample = { temperature: number; topK?: number; repeat?: boolean };
interface Variant {
  name: string;
  file?: string;
  mmap?: boolean;
  context?: { contextSize?: number; batchSize?: number; flashAttention?: boolean };
  sample?: Sample;
}
const DEFAULT: Sample = { temperature: 0.2 };
const variants: Variant[] = [
  { name: "default config (ctx 2048, temperature 0.2)" },
  { name: "temperature 0.8", sample: { temperature: 0.8 } },
  { name: "greedy (temperature 0)", sample: { temperature: 0 } },
  { name: "top-k 1", sample: { temperature: 0.2, topK: 1 } },
  { name: "repeat penalty 1.1 over the last 64 tokens (as chat)", sample: { temperature: 0.2, repeat: true } },
  { name: "context 512", context: { contextSize: 512 } },
  { name: "batch size 64", context: { batchSize: 64 } },
  { name: "flash attention", context: { flashAttention: true } },
  { name: "no mmap", mmap: false },
  ...positionals.map((file) => ({ name: basename(file), file })),
];

const runtime = new LlamaRuntime();
const { llama } = await runtime.get();
const models = new Map<string, LlamaModel>();
const loaded: { v: Variant; model: LlamaModel; ctx: LlamaContext; prompt: Token[] }[] = [];
for (const v of variants) {
  const file = v.file ?? MODEL;
  const key = `${file}|${v.mmap ?? true}`;
  if (!models.has(key)) models.set(key, await llama.loadModel({ modelPath: file, useMmap: v.mmap ?? true }));
  const model = models.get(key)!;
  const ctx = await model.createContext({ threads: 1, sequences: 1, contextSize: 2048, ...v.context });
  loaded.push({ v, model, ctx, prompt: model.tokenize("Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ".repeat(3)) });
}

const cpu = new Map<string, number[]>();
const wall = new Map<string, number[]>();
for (let round = 0; round <= RUNS; round++) {
  for (const { v, ctx, prompt } of loaded) {
    const seq = ctx.getSequence();
    await seq.evaluateWithoutGeneratingNewTokens(prompt);
    let n = 0;
    let t0 = 0;
    let c0 = 0;
    const { temperature, topK, repeat } = v.sample ?? DEFAULT;
    const repeatPenalty = repeat ? { punishTokens: () => seq.contextTokens.slice(-64), penalty: 1.1 } : undefined;
    for await (const _t of seq.evaluate([prompt.at(-1)!], { temperature, ...(topK && { topK }), ...(repeatPenalty && { repeatPenalty }), seed: round })) {
      if (n === 0) {
        t0 = performance.now();
        const u = process.cpuUsage();
        c0 = u.user + u.system;
      }
      if (++n >= DECODE_TOKENS) break;
    }
    const u = process.cpuUsage();
    seq.dispose();
    if (round === 0) continue; // warm-up
    cpu.set(v.name, [...(cpu.get(v.name) ?? []), (n - 1) / ((u.user + u.system - c0) / 1e6)]);
    wall.set(v.name, [...(wall.get(v.name) ?? []), (n - 1) / ((performance.now() - t0) / 1000)]);
  }
}
for (const { ctx } of loaded) await ctx.dispose();
for (const m of models.values()) await m.dispose();
await runtime.dispose();

console.log(`\nDecode cost per setting (${basename(MODEL)}, 1 thread, ${DECODE_TOKENS} tokens, median of ${RUNS} rounds; load average at the end: ${loadavg()})\n`);
console.log("| setting | tokens per CPU-second | wall tok/s |");
console.log("|---|---:|---:|");
for (const { v } of loaded) console.log(`| ${v.name} | ${median(cpu.get(v.name)!).toFixed(1)} | ${median(wall.get(v.name)!).toFixed(1)} |`);
