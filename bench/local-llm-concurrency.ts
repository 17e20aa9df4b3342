// Concurrent streams on the embedded LLM: aggregate decode tokens/s of 1 and of 4 streams on
// one context with 4 sequences (local.sequences = 4, as the embedded default config sets),
// interleaved in one run so a busy machine skews both alike. Also tokens per CPU-second of the
// process, which a shared machine disturbs much less than wall time: it shows what a batch of
// several sequences' tokens costs per token.
// Several GGUF files (e.g. re-quantized by bench/gguf-requantize.py) are measured side by side.
// Run: node --import tsx bench/local-llm-concurrency.ts [--runs N] [MODEL.gguf ...]
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { modelsDir } from "../server/engines/data-dir.js";
import { LoadedModel } from "../server/engines/llm/loaded-model.js";
import { LlamaRuntime } from "../server/engines/llm/runtime.js";
import type { LlmModelConfig } from "../server/engines/llm/types.js";

const { values, positionals } = parseArgs({ options: { runs: { type: "string" } }, allowPositionals: true });
const RUNS = Number(values.runs ?? 3);
const MODELS = positionals.length > 0 ? positionals : [join(modelsDir(process.env), "gemma3-270m-q4_k_m.gguf")];
const DECODE_TOKENS = 96;
for (const m of MODELS) if (!existsSync(m)) throw new Error(`${m} is absent: run scripts/setup-default-model.sh`);

const configOf = (file: string): LlmModelConfig => ({
  name: basename(file),
  modelPath: file,
  threads: 1,
  contextSize: 1024,
  sequences: 4,
  maxQueue: 0,
  load: "first-use",
  idleUnloadMs: 0,
  chatTemplate: "auto",
});
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function stream(seq: LlamaContextSequence, prompt: Token[], seed: number): Promise<number> {
  await seq.clearHistory();
  await seq.evaluateWithoutGeneratingNewTokens(prompt);
  let n = 0;
  for await (const _t of seq.evaluate([prompt.at(-1)!], { temperature: 0.2, seed })) if (++n >= DECODE_TOKENS) break;
  return n;
}

/** `k` streams at once on sequences 0..k-1. */
async function round(model: LoadedModel, prompt: Token[], k: number, seed: number) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts = await Promise.all(model.sequences.slice(0, k).map((seq, i) => stream(seq, prompt, seed + i)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const tokens = counts.reduce((a, b) => a + b, 0);
  return { wall: tokens / seconds, cpu: tokens / ((cpu.user + cpu.system) / 1e6) };
}

const runtime = new LlamaRuntime();
const handle = await runtime.get();
const layouts = [];
for (const file of MODELS) layouts.push({ name: `${basename(file)}: 1 context, 4 sequences, 1 thread`, model: await LoadedModel.load(handle, configOf(file)) });
const prompt = layouts[0]!.model.model.tokenize("Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ".repeat(2));
const results = new Map<string, { wall: number[]; cpu: number[]; load: string[] }>();
for (let run = 0; run <= RUNS; run++) {
  for (const { name, model } of layouts) {
    for (const k of [1, 4]) {
      const r = await round(model, prompt, k, run);
      if (run === 0) continue; // warm-up
      const key = `${name}|${k}`;
      const entry = results.get(key) ?? { wall: [], cpu: [], load: [] };
      entry.wall.push(r.wall);
      entry.cpu.push(r.cpu);
      entry.load.push(loadavg());
      results.set(key, entry);
      console.error(`${name}, ${k} stream(s): ${r.wall.toFixed(1)} tok/s aggregate (load ${loadavg()})`);
    }
  }
}
for (const { model } of layouts) await model.dispose();
await runtime.dispose();

console.log(`\nEmbedded LLM, concurrent streams (${DECODE_TOKENS} tokens per stream incl. a ${prompt.length}-token prompt, median of ${RUNS} runs)\n`);
console.log("| layout | streams | aggregate tok/s (wall) | tok per CPU-second | 4 streams / 1 stream | load average during the runs |");
console.log("|---|---|---|---|---|---|");
for (const { name } of layouts) {
  const one = results.get(`${name}|1`)!;
  const four = results.get(`${name}|4`)!;
  for (const [k, r] of [[1, one], [4, four]] as const) {
    const ratio = k === 4 ? `${(median(four.wall) / median(one.wall)).toFixed(2)}×` : "";
    console.log(`| ${name} | ${k} | ${median(r.wall).toFixed(1)} | ${median(r.cpu).toFixed(1)} | ${ratio} | ${r.load.join("; ")} |`);
  }
}
