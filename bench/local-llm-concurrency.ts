// Concurrent streams on the embedded LLM: aggregate decode tokens/s of 1 and of 4 streams on
// 4 sequences (local.sequences = 4, as the embedded default config sets), interleaved in one run
// so a busy machine skews all alike. Layouts (`--layouts`, default "1x4,2x2"): CxS = C contexts of
// S sequences, 1 thread each (the engine's local.contexts; stream i runs on slot i, context i % C,
// as the engine's Slots hand them out); "1x4:1/2" = one context whose decodes get 1 thread while
// one sequence generates and 2 while several do (bench/lib/decode-threads.ts, not in the engine).
// Besides wall tok/s: tokens per CPU-second of the process, which a shared machine disturbs much
// less, and the process's CPU share (CPU seconds / wall seconds; 200 % = both cores of 2), which
// says how much of the machine it got; with several contexts, the share of decoding time in which
// two contexts decoded at once (bench/lib/decode-overlap.ts).
// Run: node --import tsx bench/local-llm-concurrency.ts [--runs N] [--tokens N] [--layouts LIST] [MODEL.gguf ...]
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { modelsDir } from "../server/engines/data-dir.js";
import { LoadedModel } from "../server/engines/llm/loaded-model.js";
import { LlamaRuntime } from "../server/engines/llm/runtime.js";
import type { LlmModelConfig } from "../server/engines/llm/types.js";
import { DecodeOverlap } from "./lib/decode-overlap.js";
import { DecodeThreads } from "./lib/decode-threads.js";
import { loadavg, median } from "./lib/stats.js";

const { values, positionals } = parseArgs({
  options: { runs: { type: "string" }, tokens: { type: "string" }, layouts: { type: "string" } },
  allowPositionals: true,
});
const RUNS = Number(values.runs ?? 3);
const DECODE_TOKENS = Number(values.tokens ?? 96);
const LAYOUTS = (values.layouts ?? "1x4,2x2").split(",").map((spec) => {
  const m = /^(\d+)x(\d+)(?::(\d+)\/(\d+))?$/.exec(spec);
  if (!m) throw new Error(`--layouts: ${spec} is not CxS or CxS:LONE/PARALLEL`);
  return { spec, contexts: Number(m[1]), sequences: Number(m[1]) * Number(m[2]), threads: m[3] ? ([Number(m[3]), Number(m[4])] as const) : undefined };
});
const MODELS = positionals.length > 0 ? positionals : [join(modelsDir(process.env), "gemma3-270m-q4_k_m.gguf")];
for (const m of MODELS) if (!existsSync(m)) throw new Error(`${m} is absent: run scripts/setup-default-model.sh`);


interface Layout {
  name: string;
  model: LoadedModel;
  threads: DecodeThreads | undefined;
  overlap: DecodeOverlap;
}

async function load(handle: Awaited<ReturnType<LlamaRuntime["get"]>>, file: string, l: (typeof LAYOUTS)[number]): Promise<Layout> {
  const config: LlmModelConfig = {
    name: basename(file),
    modelPath: file,
    threads: l.threads ? Math.max(...l.threads) : 1,
    contexts: l.contexts,
    contextSize: 1024,
    sequences: l.sequences,
    maxQueue: 0,
    load: "first-use",
    idleUnloadMs: 0,
    chatTemplate: "auto",
  };
  const model = await LoadedModel.load(handle, config);
  let threads: DecodeThreads | undefined;
  if (l.threads) {
    threads = new DecodeThreads(...l.threads);
    threads.attach(model.contexts[0]!);
  }
  const overlap = new DecodeOverlap();
  for (const context of model.contexts) overlap.attach(context);
  const per = l.sequences / l.contexts;
  const how = l.threads ? `1 thread alone, ${l.threads[1]} when ≥ 2 generate` : "1 thread each";
  return { name: `${basename(file)}: ${l.contexts} context${l.contexts > 1 ? "s" : ""} × ${per} sequences, ${how}`, model, threads, overlap };
}

async function stream(layout: Layout, seq: LlamaContextSequence, prompt: Token[], seed: number): Promise<number> {
  const generating = layout.threads?.begin();
  try {
    await seq.clearHistory();
    await seq.evaluateWithoutGeneratingNewTokens(prompt);
    let n = 0;
    for await (const _t of seq.evaluate([prompt.at(-1)!], { temperature: 0.2, seed })) if (++n >= DECODE_TOKENS) break;
    return n;
  } finally {
    generating?.();
  }
}

/** `k` streams at once on slots 0..k-1. */
async function round(layout: Layout, prompt: Token[], k: number, seed: number) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  layout.overlap.reset();
  const counts = await Promise.all(layout.model.sequences.slice(0, k).map((seq, i) => stream(layout, seq, prompt, seed + i)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const tokens = counts.reduce((a, b) => a + b, 0);
  return { wall: tokens / seconds, cpu: tokens / cpuSeconds, share: cpuSeconds / seconds, overlap: layout.overlap.overlapMs / Math.max(1, layout.overlap.busyMs) };
}

const runtime = new LlamaRuntime();
const handle = await runtime.get();
const layouts: Layout[] = [];
for (const file of MODELS) for (const l of LAYOUTS) layouts.push(await load(handle, file, l));
const prompt = layouts[0]!.model.model.tokenize("Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ".repeat(2));
const results = new Map<string, { wall: number[]; cpu: number[]; share: number[]; overlap: number[]; load: string[] }>();
for (let run = 0; run <= RUNS; run++) {
  for (const layout of layouts) {
    for (const k of [1, 4]) {
      const r = await round(layout, prompt, k, run);
      const line = `${layout.name}, ${k} stream(s): ${r.wall.toFixed(1)} tok/s aggregate, ${r.cpu.toFixed(1)} per CPU-second, CPU ${(r.share * 100).toFixed(0)} %, 2 decodes at once ${(r.overlap * 100).toFixed(0)} % of decoding time (load ${loadavg()})`;
      console.error(run === 0 ? `warm-up: ${line}` : line);
      if (run === 0) continue;
      const key = `${layout.name}|${k}`;
      const entry = results.get(key) ?? { wall: [], cpu: [], share: [], overlap: [], load: [] };
      entry.overlap.push(r.overlap);
      entry.wall.push(r.wall);
      entry.cpu.push(r.cpu);
      entry.share.push(r.share);
      entry.load.push(loadavg());
      results.set(key, entry);
    }
  }
}
for (const { model } of layouts) await model.dispose();
await runtime.dispose();

console.log(`\nEmbedded LLM, concurrent streams (${DECODE_TOKENS} tokens per stream incl. a ${prompt.length}-token prompt, median of ${RUNS} runs)\n`);
console.log("| layout | streams | aggregate tok/s (wall) | tok per CPU-second | CPU (100 % = one core) | 2 decodes at once | 4 streams / 1 stream | load average during the runs |");
console.log("|---|---|---|---|---|---|---|---|");
for (const { name } of layouts) {
  const one = results.get(`${name}|1`)!;
  const four = results.get(`${name}|4`)!;
  for (const [k, r] of [[1, one], [4, four]] as const) {
    const ratio = k === 4 ? `${(median(four.wall) / median(one.wall)).toFixed(2)}×` : "";
    console.log(`| ${name} | ${k} | ${median(r.wall).toFixed(1)} | ${median(r.cpu).toFixed(1)} | ${(median(r.share) * 100).toFixed(0)} % | ${(median(r.overlap) * 100).toFixed(0)} % | ${ratio} | ${r.load.join("; ")} |`);
  }
}
