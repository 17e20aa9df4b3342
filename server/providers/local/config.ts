// A [[providers]] entry of type "local" → a LocalProvider over its own engine. Startup checks
// what would otherwise fail on the first request: the model file must exist, be readable and
// be a GGUF, even when it is loaded only on first use.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError, type ProviderConfig } from "../../config/index.js";
import { expandHome } from "../../engines/data-dir.js";
import { LocalLlm } from "../../engines/llm/local-llm.js";
import { LlamaRuntime } from "../../engines/llm/runtime.js";
import { layout } from "../../engines/llm/threads.js";
import { LocalProvider } from "./client.js";

const GLOB_CHARS = /[*?[\]{}!()]/;

/**
 * "~/…" is the user's home; relative paths are relative to the config file's folder (the
 * current folder when the config did not come from a file).
 */
export function resolveModelPath(path: string, source: string): string {
  const expanded = expandHome(path);
  if (isAbsolute(expanded)) return expanded;
  let base = process.cwd();
  try {
    if (statSync(source).isFile()) base = dirname(resolve(source));
  } catch {
    // `source` is a label such as "embedded default.toml"
  }
  return resolve(base, expanded);
}

/** Why `path` cannot serve as a model, or undefined when it can. Synchronous: startup only. */
function modelFileProblem(path: string): string | undefined {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return `${JSON.stringify(path)} is not a regular file`;
    fd = openSync(path, "r");
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n < 4 || head.toString("latin1") !== "GGUF") return `${JSON.stringify(path)} is not a GGUF file (it does not start with "GGUF")`;
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : (err as Error).message;
    return `${JSON.stringify(path)} ${why}${code === "ENOENT" ? " (download one with `hoosh models pull URL`; the default model: scripts/setup-default-model.sh)" : ""}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function createLocalProvider(config: ProviderConfig, index: number, source: string): LocalProvider {
  const local = config.local;
  if (!local) {
    throw new ConfigError(source, [
      { path: `providers[${index}].local.model_path`, message: 'missing required key (type "local" needs local = { model_path = "..." })' },
    ]);
  }
  const modelPath = resolveModelPath(local.model_path, source);
  const problem = modelFileProblem(modelPath);
  if (problem) throw new ConfigError(source, [{ path: `providers[${index}].local.model_path`, message: problem }]);

  const [threads, contexts] = layout(local.threads, local.contexts, local.sequences);
  const runtime = new LlamaRuntime();
  const engine = new LocalLlm(
    {
      name: config.models.find((m) => !GLOB_CHARS.test(m)) ?? config.name,
      modelPath,
      threads,
      contexts,
      contextSize: local.context_size,
      sequences: local.sequences,
      maxQueue: local.max_queue,
      load: local.load,
      idleUnloadMs: local.idle_unload_ms,
      chatTemplate: local.chat_template,
    },
    runtime,
  );
  return new LocalProvider({
    name: config.name,
    models: config.models,
    engine,
    defaultMaxTokens: config.default_max_tokens ?? local.context_size,
    defaultTemperature: local.temperature,
    ownedRuntime: runtime,
  });
}
