// How a local model uses the cores: llama.cpp threads per context, and how many contexts the
// sequences are spread over. llama.cpp's own default (node-llama-cpp picks 4 threads on a 2-core
// machine) oversubscribes small machines: decode gets hundreds of times slower. Two threads of one
// context meet at a barrier after every operation, so on a busy 2-core machine they spin-wait for
// each other and decode collapses; contexts of one thread each never wait for each other, so
// several requests can use both cores (bench/results/2026-12-07-local-llm-threads.md). Two
// contexts per core, not one: between two decodes a context waits for sampling and the event loop,
// and a second context keeps the core busy meanwhile (4 requests on 2 cores: CPU 176 % with two
// contexts, 197 % with four; bench/results/2026-12-07-local-llm-contexts.md). Each decoding context
// holds a libuv pool thread, so contexts stop two short of the pool's size: the rest is left for
// sampling, files and DNS (bin/hoosh.cjs sizes the pool). On bigger machines one context with
// cores - 1 threads, leaving a core for the event loop and HTTP stack.
import { availableParallelism } from "node:os";

/**
 * libuv's thread pool size as libuv reads it: UV_THREADPOOL_SIZE through atoi into an unsigned
 * int (so no digits → 0 → 1, and a negative number wraps to the maximum, 1024), else 4.
 */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.UV_THREADPOOL_SIZE;
  if (raw === undefined) return 4;
  const n = Number.parseInt(raw, 10);
  if (Number.isNaN(n) || n === 0) return 1;
  return n < 0 ? 1024 : Math.min(1024, n);
}

export function defaultThreads(cores: number = availableParallelism()): number {
  return cores <= 2 ? 1 : cores - 1;
}

export function defaultContexts(sequences: number, cores: number = availableParallelism(), pool: number = threadPoolSize()): number {
  return cores <= 2 ? Math.max(1, Math.min(sequences, 2 * cores, pool - 2)) : 1;
}

/** `local.threads`, `local.contexts` → [threads per context, contexts]. */
export function layout(
  threads: number | "auto",
  contexts: number | "auto",
  sequences: number,
  cores: number = availableParallelism(),
  pool: number = threadPoolSize(),
): [threads: number, contexts: number] {
  return [threads === "auto" ? defaultThreads(cores) : threads, contexts === "auto" ? defaultContexts(sequences, cores, pool) : contexts];
}
