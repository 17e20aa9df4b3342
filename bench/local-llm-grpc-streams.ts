// Concurrent streams on the embedded LLM through the whole gateway: `hoosh serve` in a child
// process, GenerateStream over gRPC (connect-node client), 1 stream and then 4 at once, 128 output
// tokens each, median of N rounds after a warm-up. Per start command (`--entries`, default
// "bin/hoosh.cjs,dist/hoosh.js"): the launcher gives libuv 8 pool threads, so "auto" spreads the 4
// sequences over 4 contexts on a 2-core machine; dist/hoosh.js keeps libuv's 4 threads, so 2
// contexts (server/engines/llm/threads.ts). The config is the embedded default's local provider
// with the GGUF's own prompt format (chat_template = "model"), so every request runs to max tokens.
// Needs `npm run build` (dist/) and scripts/setup-default-model.sh.
// Run: node --import tsx bench/local-llm-grpc-streams.ts [--runs N] [--entries LIST]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { modelsDir } from "../server/engines/data-dir.js";
import { spawnServe } from "../test/harness/cli.js";
import { loadavg, median } from "./lib/stats.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const { values } = parseArgs({ options: { runs: { type: "string" }, entries: { type: "string" } } });
const RUNS = Number(values.runs ?? 3);
const ENTRIES = (values.entries ?? "bin/hoosh.cjs,dist/hoosh.js").split(",");
const MODEL = join(modelsDir(process.env), "gemma3-270m-q4_k_m.gguf");
if (!existsSync(MODEL)) throw new Error(`${MODEL} is absent: run scripts/setup-default-model.sh`);
const QUESTIONS = ["Write a long story about a lighthouse keeper.", "Explain how bread is made.", "Describe a market town.", "Write a letter from a sailor."];

const dir = mkdtempSync(join(tmpdir(), "hoosh-bench-"));
const config = join(dir, "hoosh.toml");
writeFileSync(
  config,
  `[server]\nport = 0\n[[providers]]\nname = "embedded"\ntype = "local"\nmodels = ["gemma3-270m"]\nlocal = { model_path = ${JSON.stringify(MODEL)}, temperature = 0.2, load = "startup", sequences = 4, chat_template = "model" }\n`,
);

async function measure(entry: string) {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  const hoosh = await spawnServe(["--config", config], env, [join(ROOT, entry)]);
  try {
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url }));
    const stream = async (question: string, seed: number): Promise<number> => {
      let tokens = 0;
      const request = { model: "gemma3-270m", messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: question } }] }], sampling: { maxTokens: 128, seed: BigInt(seed) }, cache: { noCache: true, noStore: true } };
      for await (const ev of client.generateStream(request)) if (ev.event.case === "end") tokens = ev.event.value.usage?.outputTokens ?? 0;
      return tokens;
    };
    const rates: Record<1 | 4, number[]> = { 1: [], 4: [] };
    const loads: string[] = [];
    for (let run = 0; run <= RUNS; run++) {
      for (const k of [1, 4] as const) {
        const t0 = performance.now();
        const counts = await Promise.all(QUESTIONS.slice(0, k).map((q, i) => stream(q, run * 10 + i)));
        const rate = counts.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 1000);
        console.error(`${run === 0 ? "warm-up: " : ""}${entry}, ${k} stream(s): ${rate.toFixed(1)} tok/s (load ${loadavg()})`);
        if (run === 0) continue;
        rates[k].push(rate);
        loads.push(loadavg());
      }
    }
    return { entry, one: median(rates[1]), four: median(rates[4]), loads };
  } finally {
    await hoosh.stop();
  }
}

const rows = [];
for (const entry of ENTRIES) rows.push(await measure(entry));
rmSync(dir, { recursive: true, force: true });
console.log(`\nEmbedded LLM through hoosh: GenerateStream over gRPC, 128 output tokens per stream, median of ${RUNS} rounds\n`);
console.log("| started as | 1 stream tok/s | 4 streams aggregate tok/s | 4 / 1 | load average during the runs |");
console.log("|---|---:|---:|---:|---|");
for (const r of rows) console.log(`| \`node ${r.entry} serve\` | ${r.one.toFixed(1)} | ${r.four.toFixed(1)} | ${(r.four / r.one).toFixed(2)}× | ${r.loads.join("; ")} |`);
