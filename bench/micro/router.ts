// Micro benchmark: route selection over 20 providers (glob patterns, priority
// strategy, breaker check) and round-robin over 10, beside the Rust
// original's published medians. Run: node --import tsx bench/micro/router.ts
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { Router, type Route } from "../../server/core/router.js";
import type { Provider } from "../../server/providers/provider.js";
import { measure } from "./measure.js";

function provider(name: string): Provider {
  const unused = () => Promise.reject(new Error("unused"));
  return { name, type: "bench", locality: Locality.REMOTE, generate: unused, generateStream: () => { throw new Error("unused"); }, embed: unused, listModels: unused, close: async () => {} };
}

const FAMILIES = ["gpt-*", "o*", "claude-*", "gemini-*", "llama-*", "mistral-*", "deepseek-*", "grok-*", "qwen-*", "phi-*"];
function routes(n: number): Route[] {
  return Array.from({ length: n }, (_, i) => ({ provider: provider(`p${i}`), models: [FAMILIES[i % FAMILIES.length]!, `custom-${i}-*`], priority: i, weight: 1 + (i % 3) }));
}

/** Calls per round (bench/micro/measure.ts). */
const ITERATIONS = 200_000;

const health = new ProviderHealth();
const r20 = new Router(routes(20), "priority", new LatencyTracker(), Math.random, {}, health);
const r10 = new Router(routes(10), "round-robin", new LatencyTracker(), Math.random, {}, health);
const models = ["gpt-4o-mini", "claude-sonnet-4", "llama-3.1-8b", "qwen-2.5-7b"];
let k = 0;
const rows = [
  ["route select, 20 providers (priority)", measure(() => r20.targets(models[k++ & 3]!), ITERATIONS), 220],
  ["round-robin, 10 providers", measure(() => r10.targets("gpt-4o"), ITERATIONS), 112],
] as const;

console.log(`router micro benchmark (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
console.log("| operation | hoosh median | Rust original median | ratio |\n|---|---|---|---|");
for (const [name, ns, rust] of rows) console.log(`| ${name} | ${ns.toFixed(0)} ns | ${rust} ns | ${(ns / rust).toFixed(1)}× |`);
