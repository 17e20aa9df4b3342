// What one llama_decode of n tokens costs per token on the embedded LLM, for n = 1, 2, 4, 8, 16:
// the ceiling of what parallel sequences can gain (n sequences' next tokens go into one batch).
// Two modes: "layers" (no logits: what prompt evaluation pays) and "decode" (every token gets its
// logits over the 262,144-token vocabulary and a sampled next token, as n decoding sequences do).
// Measured as tokens per CPU-second of this process (1 thread), variants interleaved, so a busy
// machine skews all alike. Several GGUF files (e.g. from bench/gguf-requantize.py) side by side.
// Run: node --import tsx bench/local-llm-batch-cost.ts [--runs N] [MODEL.gguf ...]
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import type { ControlledEvaluateInputItem, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { modelsDir } from "../server/engines/data-dir.js";
import { LlamaRuntime } from "../server/engines/llm/runtime.js";
import { loadavg, median } from "./lib/stats.js";

const { values, positionals } = parseArgs({ options: { runs: { type: "string" } }, allowPositionals: true });
const RUNS = Number(values.runs ?? 3);
const MODELS = positionals.length > 0 ? positionals : [join(modelsDir(process.env), "gemma3-270m-q4_k_m.gguf")];
const SIZES = [1, 2, 4, 8, 16];
const MODES = ["layers", "decode"] as const;
const TOKENS_PER_SIZE = 96;

const runtime = new LlamaRuntime();
const { llama } = await runtime.get();
const loaded: { file: string; model: LlamaModel; context: LlamaContext }[] = [];
for (const file of MODELS) {
  const model = await llama.loadModel({ modelPath: file });
  loaded.push({ file, model, context: await model.createContext({ contextSize: 1024, threads: 1, batchSize: 16 }) });
}
const sequences = new Map(loaded.map(({ context }) => [context, context.getSequence()]));
const results = new Map<string, number[]>();
for (let run = 0; run <= RUNS; run++) {
  for (const { file, model, context } of loaded) {
    const text = model.tokenize("Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ".repeat(20));
    for (const mode of MODES) {
      for (const n of SIZES) {
        const seq = sequences.get(context)!;
        await seq.clearHistory();
        let used = 0;
        const cpu0 = process.cpuUsage();
        // TOKENS_PER_SIZE tokens fed n at a time: each call is one llama_decode of n tokens.
        while (used < TOKENS_PER_SIZE) {
          const tokens = text.slice(used, used + n) as Token[];
          if (mode === "layers") await seq.evaluateWithoutGeneratingNewTokens(tokens);
          else await seq.controlledEvaluate(tokens.map((t): ControlledEvaluateInputItem => [t, { generateNext: { token: true, options: { temperature: 0.2, seed: 1 } } }]));
          used += n;
        }
        const cpu = process.cpuUsage(cpu0);
        if (run === 0) continue;
        const key = `${basename(file)}|${mode}|${n}`;
        results.set(key, [...(results.get(key) ?? []), used / ((cpu.user + cpu.system) / 1e6)]);
      }
    }
  }
  if (run > 0) console.error(`run ${run} done (load ${loadavg()})`);
}
for (const { model, context } of loaded) {
  await context.dispose();
  await model.dispose();
}
await runtime.dispose();
console.log(`\nTokens per CPU-second by tokens per llama_decode (1 thread, median of ${RUNS}; load at the end ${loadavg()})\n`);
console.log(`| model | mode | ${SIZES.map((n) => `n = ${n}`).join(" | ")} | n = 4 / n = 1 |`);
console.log(`|---|---|${SIZES.map(() => "---:").join("|")}|---:|`);
for (const { file } of loaded) {
  for (const mode of MODES) {
    const m = SIZES.map((n) => median(results.get(`${basename(file)}|${mode}|${n}`)!));
    console.log(`| ${basename(file)} | ${mode} | ${m.map((x) => x.toFixed(1)).join(" | ")} | ${(m[2]! / m[0]!).toFixed(2)}× |`);
  }
}
