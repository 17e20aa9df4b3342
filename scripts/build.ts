// Bundles the CLI and server into dist/ (npm run build; npm ci runs it through prepare).
// Pure-JS dependencies are bundled in: one file read instead of hundreds of module resolutions
// halves the CPU hoosh spends before it listens (bench/startup.ts). What stays external loads
// native code (addons, engines), resolves files beside itself at run time (pino's worker
// transports), or is only loaded for features a config turns on (Redis, MCP, clouds, tracing).
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions } from "esbuild";
import { buildConsole } from "./build-console.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

const EXTERNAL = [
  // native addons and engines
  "better-sqlite3",
  "node-llama-cpp",
  "koffi",
  "@napi-rs/whisper",
  // pino starts worker threads from its own files
  "pino",
  "thread-stream",
  // loaded on demand by the features that use them
  "ioredis",
  "systeminformation",
  "@modelcontextprotocol/sdk",
  "google-auth-library",
  "gpt-tokenizer",
  "@opentelemetry/exporter-trace-otlp-http",
  "@opentelemetry/sdk-trace-base",
  "@opentelemetry/resources",
  "tsx",
];

export function bundleOptions(outdir: string): BuildOptions {
  return {
    entryPoints: [join(REPO_ROOT, "server", "main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: EXTERNAL,
    splitting: true,
    outdir,
    entryNames: "hoosh",
    logLevel: "warning",
    // Bundled CommonJS packages call require(): give the ES module one.
    banner: { js: "import { createRequire as __hooshRequire } from 'node:module'; const require = __hooshRequire(import.meta.url);" },
  };
}

/** Builds into `outdir` (emptied first): hoosh.js plus the files it reads beside itself, and the web console in console/. */
export async function buildHoosh(outdir: string): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build(bundleOptions(outdir));
  await copyFile(join(REPO_ROOT, "server", "config", "default.toml"), join(outdir, "default.toml"));
  await copyFile(join(REPO_ROOT, "server", "engines", "stt", "whisper", "worker.mjs"), join(outdir, "worker.mjs"));
  await copyFile(join(REPO_ROOT, "server", "engines", "tts", "flite-worker.mjs"), join(outdir, "flite-worker.mjs"));
  await buildConsole(join(outdir, "console"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildHoosh(join(REPO_ROOT, "dist"));
}
