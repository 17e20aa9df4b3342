// Micro benchmark: the provider registry's lookups (hoosh keeps its registry in
// the Router: compiled glob patterns per provider, memoized per model name),
// beside the Rust original's published median (registry lookup: 36 ns).
// Run: node --import tsx bench/micro/registry.ts
import { create } from "@bufbuild/protobuf";
import { RoutingHintsSchema, RoutingStrategy } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { Router, type Route } from "../../server/core/router.js";
import type { Provider } from "../../server/providers/provider.js";
import { measure } from "./measure.js";

function provider(name: string): Provider {
  const unused = () => Promise.reject(new Error("unused"));
  return { name, type: "bench", locality: Locality.REMOTE, generate: unused, generateStream: () => { throw new Error("unused"); }, embed: unused, listModels: unused, close: async () => {} };
}

const FAMILIES = ["gpt-*", "o*", "claude-*", "gemini-*", "llama-*", "mistral-*", "deepseek-*", "grok-*", "qwen-*", "phi-*"];
const routes: Route[] = Array.from({ length: 20 }, (_, i) => ({ provider: provider(`p${i}`), models: [FAMILIES[i % FAMILIES.length]!, `custom-${i}-*`], priority: i, weight: 1 }));

/** Calls per round (bench/micro/measure.ts). */
const ITERATIONS = 200_000;

const router = new Router(routes, "priority", new LatencyTracker());
const compiled = router.all;
const models = ["gpt-4o-mini", "claude-sonnet-4", "llama-3.1-8b", "qwen-2.5-7b"];
const pinned = create(RoutingHintsSchema, { provider: "p2", strategy: RoutingStrategy.UNSPECIFIED });
let k = 0;
const rows = [
  ["model pattern lookup, 20 providers (Router.matching, memoized)", measure(() => router.matching(models[k++ & 3]!), ITERATIONS), 36],
  ["model pattern lookup, 20 providers, uncached (20 compiled globs)", measure(() => { const m = models[k++ & 3]!; return compiled.filter((r) => r.matches(m)); }, ITERATIONS), 36],
  ["find a provider by name (routing.provider pin: Router.candidates)", measure(() => router.candidates("claude-sonnet-4", pinned), ITERATIONS), 36],
] as const;

console.log(`registry micro benchmark (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
console.log("| operation | hoosh median | Rust original median | ratio |\n|---|---|---|---|");
for (const [name, ns, rust] of rows) console.log(`| ${name} | ${ns.toFixed(0)} ns | ${rust} ns | ${(ns / rust).toFixed(1)}× |`);
