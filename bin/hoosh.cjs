#!/usr/bin/env node
// Runs the bundled CLI (dist/, built by `npm run build`, which `npm ci` runs
// through the prepare script). Bundling skips TypeScript compilation at start.
//
// CommonJS on purpose: libuv sizes its thread pool once, when it is first used, and an ES module
// entry is read through that pool before its first line runs. Here the size can still be set.
// Every llama.cpp decode and sampling step of the embedded LLM holds a pool thread, so with four
// contexts generating the default four threads are all taken and file and DNS work waits behind
// decodes (fs.readFile p50 34 ms, p99 112 ms; with eight threads 7.6 / 26 ms). The engine takes at
// most pool size - 2 contexts (server/engines/llm/threads.ts).
process.env.UV_THREADPOOL_SIZE ??= "8";
import("../dist/hoosh.js").catch((err) => {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/hoosh.js")) {
    console.error("hoosh: dist/hoosh.js is missing; run `npm run build` (or `npm ci`) first");
    process.exit(1);
  }
  throw err;
});
