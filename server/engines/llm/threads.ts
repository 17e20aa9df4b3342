// The default thread count of a local model. llama.cpp's own default (node-llama-cpp picks 4 on
// a 2-core machine) oversubscribes small machines: decode gets hundreds of times slower. On
// 2 cores one thread was fastest (see bench/local-llm.ts); on bigger machines leave one core
// for the event loop, the HTTP stack and the other requests.
import { availableParallelism } from "node:os";

export function defaultThreads(cores: number = availableParallelism()): number {
  return cores <= 2 ? 1 : cores - 1;
}
