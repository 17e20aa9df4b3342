// [[providers]] entries of type "pocketsphinx" and "whisper" → their providers.
// Startup checks what would otherwise fail on the first request: the model
// files must exist. Typed structurally, so it compiles before and after the
// config schema gains the `pocketsphinx` / `whisper` tables.
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ConfigError } from "../../config/errors.js";
import { DEFAULT_PATHS } from "../../engines/stt/pocketsphinx/ffi.js";
import type { Provider } from "../provider.js";
import { dataDir, expandHome } from "../../engines/data-dir.js";
import type { LogFn } from "../../engines/stt/whisper-server/managed-process.js";
import type { Transport } from "../transport.js";
import { FliteProvider } from "../tts/flite.js";
import { PocketsphinxProvider } from "./pocketsphinx.js";
import { WhisperProvider } from "./whisper.js";
import { WhisperServerProvider } from "./whisper-server.js";

export const SPEECH_PROVIDER_TYPES = ["pocketsphinx", "whisper", "whisper-server", "flite"] as const;

/** What speech providers need from the app beyond their config entry. */
export interface SpeechDeps {
  transport: Transport;
  log: LogFn;
}

export interface SpeechProviderConfig {
  name: string;
  type: string;
  models: string[];
  pocketsphinx?: { hmm_dir?: string; dict_path?: string; lm_path?: string; decoders?: number; max_queue?: number } | undefined;
  whisper?: { model_path: string; threads?: number | undefined; max_queue?: number } | undefined;
  flite?: { processes: number; max_queue: number } | undefined;
  whisper_server?:
    | { python?: string | undefined; threads?: number | undefined; beam_size: number; load: "startup" | "first-use"; start_timeout_ms: number; partial_every_ms: number; window_seconds: number }
    | undefined;
}

export function createSpeechProvider(config: SpeechProviderConfig, index: number, source: string, deps: Partial<SpeechDeps> = {}): Provider {
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
  const cores = availableParallelism();
  if (config.type === "flite") {
    return new FliteProvider({ name: config.name, models: config.models, workers: config.flite?.processes, maxQueue: config.flite?.max_queue });
  }
  if (config.type === "whisper-server") {
    const w = config.whisper_server ?? { beam_size: 5, load: "startup", start_timeout_ms: 120_000, partial_every_ms: 2000, window_seconds: 10 };
    const python = w.python === undefined ? `${dataDir(process.env)}/venv-whisper/bin/python` : expandHome(w.python);
    if (!exists(python)) throw missing("whisper_server.python", python, "run scripts/setup-speech.sh (npm start runs it) or set the path of a venv's python with scripts/whisper-server/requirements.txt");
    return new WhisperServerProvider({
      name: config.name,
      models: config.models,
      python,
      threads: w.threads ?? (cores <= 2 ? 1 : cores - 1),
      beamSize: w.beam_size,
      load: w.load,
      startTimeoutMs: w.start_timeout_ms,
      partialEveryMs: w.partial_every_ms,
      windowSeconds: w.window_seconds,
      transport: deps.transport ?? missingDep("transport"),
      log: deps.log ?? (() => {}),
    });
  }
  if (config.type === "whisper") {
    const w = config.whisper;
    if (!w) throw new ConfigError(source, [{ path: `${at}.whisper`, message: 'missing required table for type "whisper" (model_path = "…/ggml-….bin")' }]);
    if (!exists(w.model_path)) throw missing("whisper.model_path", w.model_path, "download a whisper.cpp ggml model there");
    const threads = w.threads ?? (cores <= 2 ? 1 : cores - 1);
    return new WhisperProvider({ name: config.name, models: config.models, model_path: w.model_path, threads, maxQueue: w.max_queue });
  }
  throw new ConfigError(source, [{ path: `${at}.type`, message: `"${config.type}" is not a speech provider type (${SPEECH_PROVIDER_TYPES.join(", ")})` }]);
}

function missingDep(what: string): never {
  throw new Error(`a whisper-server provider needs the app's ${what}`);
}
