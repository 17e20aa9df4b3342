// [[providers]] entries of type "pocketsphinx" and "whisper" → their providers.
// Startup checks what would otherwise fail on the first request: the model
// files must exist. Typed structurally, so it compiles before and after the
// config schema gains the `pocketsphinx` / `whisper` tables.
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ConfigError } from "../../config/errors.js";
import { DEFAULT_PATHS } from "../../engines/stt/pocketsphinx/ffi.js";
import type { Provider } from "../provider.js";
import { PocketsphinxProvider } from "./pocketsphinx.js";
import { WhisperProvider } from "./whisper.js";

export const SPEECH_PROVIDER_TYPES = ["pocketsphinx", "whisper"] as const;

export interface SpeechProviderConfig {
  name: string;
  type: string;
  models: string[];
  pocketsphinx?: { hmm_dir?: string; dict_path?: string; lm_path?: string; decoders?: number; max_queue?: number } | undefined;
  whisper?: { model_path: string; threads?: number | undefined; max_queue?: number } | undefined;
}

export function createSpeechProvider(config: SpeechProviderConfig, index: number, source: string): Provider {
  const at = `providers[${index}]`;
  const missing = (key: string, path: string, hint: string) =>
    new ConfigError(source, [{ path: `${at}.${key}`, message: `${JSON.stringify(path)} does not exist; ${hint}` }]);
  const exists = (path: string) => {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  };
  if (config.type === "pocketsphinx") {
    const p = { ...DEFAULT_PATHS, ...config.pocketsphinx };
    for (const key of ["hmm_dir", "dict_path", "lm_path"] as const) {
      if (!exists(p[key])) throw missing(`pocketsphinx.${key}`, p[key], "install pocketsphinx-en-us (scripts/install-system-deps.sh) or fix the path");
    }
    return new PocketsphinxProvider({ name: config.name, models: config.models, ...p, decoders: config.pocketsphinx?.decoders, maxQueue: config.pocketsphinx?.max_queue });
  }
  if (config.type === "whisper") {
    const w = config.whisper;
    if (!w) throw new ConfigError(source, [{ path: `${at}.whisper`, message: 'missing required table for type "whisper" (model_path = "…/ggml-….bin")' }]);
    if (!exists(w.model_path)) throw missing("whisper.model_path", w.model_path, "download a whisper.cpp ggml model there");
    const cores = availableParallelism();
    const threads = w.threads ?? (cores <= 2 ? 1 : cores - 1);
    return new WhisperProvider({ name: config.name, models: config.models, model_path: w.model_path, threads, maxQueue: w.max_queue });
  }
  throw new ConfigError(source, [{ path: `${at}.type`, message: `"${config.type}" is not a speech provider type (${SPEECH_PROVIDER_TYPES.join(", ")})` }]);
}
