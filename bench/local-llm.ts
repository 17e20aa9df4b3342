// Local LLM engine throughput: prompt evaluation and decode tokens/s, separately, per model and
// thread count, through the engine's own loading code (server/engines/llm). Prints a Markdown
// table. Models: ../shared/models/stories260K.gguf and the embedded default (gemma3-270m, when
// scripts/setup-default-model.sh installed it); extra GGUF paths may be passed as arguments.
// Run: node --import tsx bench/local-llm.ts [--runs N] [--threads 1,2] [MODEL.gguf ...]
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { modelsDir } from "../server/engines/data-dir.js";
import { LoadedModel } from "../server/engines/llm/loaded-model.js";
import { LlamaRuntime } from "../server/engines/llm/runtime.js";
import { median } from "./lib/stats.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const { values, positionals } = parseArgs({ options: { runs: { type: "string" }, threads: { type: "string" } }, allowPositionals: true });
const RUNS = Number(values.runs ?? 3);
const THREADS = (values.threads ?? "1,2").split(",").map(Number);
const PROMPT_TOKENS = 256;
const DECODE_TOKENS = 128;

const candidates = positionals.length > 0
  ? positionals
  : [join(ROOT, "..", "shared", "models", "stories260K.gguf"), join(modelsDir(process.env), "gemma3-270m-q4_k_m.gguf")];
const models = candidates.filter((p) => {
  if (existsSync(p)) return true;
  console.error(`skipped (absent): ${p}`);
  return false;
});


interface Row {
  model: string;
  threads: number;
  prompt: number;
  decode: number;
  ttft: number;
}

async function measure(runtime: LlamaRuntime, modelPath: string, threads: number): Promise<Row> {
  const handle = await runtime.get();
  const loaded = await LoadedModel.load(handle, {
    name: basename(modelPath),
    modelPath,
    threads,
    contexts: 1,
    contextSize: 1024,
    sequences: 1,
    maxQueue: 0,
    load: "first-use",
    idleUnloadMs: 0,
    chatTemplate: "auto",
  });
  try {
    const seq = loaded.sequences[0]!;
    // A prompt of real text, cut to PROMPT_TOKENS tokens.
    const text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ".repeat(40);
    const prompt = loaded.model.tokenize(text).slice(0, PROMPT_TOKENS);
    const prompts: number[] = [];
    const decodes: number[] = [];
    const ttfts: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      await seq.clearHistory();
      const t0 = performance.now();
      await seq.evaluateWithoutGeneratingNewTokens(prompt);
      const t1 = performance.now();
      let n = 0;
      let firstAt = 0;
      // Decode token by token (sampling included), the way a chat request generates.
      for await (const _token of seq.evaluate([prompt.at(-1)!], { temperature: 0.8, seed: run })) {
        if (n === 0) firstAt = performance.now();
        if (++n >= DECODE_TOKENS) break;
      }
      const t2 = performance.now();
      if (run === 0) continue; // warm-up
      prompts.push(PROMPT_TOKENS / ((t1 - t0) / 1000));
      decodes.push((n - 1) / ((t2 - firstAt) / 1000));
      ttfts.push(firstAt - t0);
    }
    return { model: basename(modelPath), threads, prompt: median(prompts), decode: median(decodes), ttft: median(ttfts) };
  } finally {
    await loaded.dispose();
  }
}

const runtime = new LlamaRuntime();
const rows: Row[] = [];
for (const model of models) {
  for (const threads of THREADS) {
    const row = await measure(runtime, model, threads);
    console.error(`${row.model} threads=${threads}: prompt ${row.prompt.toFixed(0)} tok/s, decode ${row.decode.toFixed(1)} tok/s`);
    rows.push(row);
  }
}
await runtime.dispose();

console.log(`\nLocal LLM engine (node-llama-cpp, CPU), median of ${RUNS} runs after a warm-up; prompt ${PROMPT_TOKENS} tokens, decode ${DECODE_TOKENS} tokens, context 1024\n`);
console.log("| model | threads | prompt eval tok/s | decode tok/s | time to first token (ms) |");
console.log("|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.model} | ${r.threads} | ${r.prompt.toFixed(0)} | ${r.decode.toFixed(1)} | ${r.ttft.toFixed(0)} |`);
