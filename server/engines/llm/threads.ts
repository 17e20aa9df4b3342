// How a local model uses the cores: llama.cpp threads per context, and how many contexts the
// sequences are spread over. llama.cpp's own default (node-llama-cpp picks 4 threads on a 2-core
// machine) oversubscribes small machines: decode gets hundreds of times slower. Two threads of one
// context meet at a barrier after every operation, so on a busy 2-core machine they spin-wait for
// each other and decode collapses; contexts of one thread each never wait for each other, so
// several requests can use both cores (bench/results/2026-12-07-local-llm-threads.md). Two
// contexts per core, not one: between two decodes a context waits for sampling and the event loop,
// and a second context keeps the core busy meanwhile (4 requests on 2 cores: CPU 176 % with two
// contexts, 197 % with four; bench/results/2026-12-07-local-llm-contexts.md). On bigger machines
// one context with cores - 1 threads, leaving a core for the event loop and HTTP stack.
import { availableParallelism } from "node:os";

export function defaultThreads(cores: number = availableParallelism()): number {
  return cores <= 2 ? 1 : cores - 1;
}

export function defaultContexts(sequences: number, cores: number = availableParallelism()): number {
  return cores <= 2 ? Math.min(sequences, 2 * cores) : 1;
}

/** `local.threads`, `local.contexts` → [threads per context, contexts]. */
export function layout(threads: number | "auto", contexts: number | "auto", sequences: number, cores: number = availableParallelism()): [threads: number, contexts: number] {
  return [threads === "auto" ? defaultThreads(cores) : threads, contexts === "auto" ? defaultContexts(sequences, cores) : contexts];
}
