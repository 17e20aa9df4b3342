// Builds a provider instance from its config entry, by wire protocol; presets
// add the quirks of known OpenAI-compatible servers.
import { isIP } from "node:net";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { ConfigError, type Env, type ProviderConfig } from "../config/index.js";
import { PRESETS, type Preset } from "../config/presets.js";
import type { HttpProviderOptions } from "./http-upstream.js";
import { createLocalProvider } from "./local/config.js";
import { AnthropicProvider } from "./anthropic/client.js";
import { GeminiProvider } from "./gemini/client.js";
import { OllamaProvider } from "./ollama/client.js";
import { OpenAIProvider } from "./openai/client.js";
import type { Provider } from "./provider.js";
import { createSpeechProvider, SPEECH_PROVIDER_TYPES, type SpeechDeps } from "./stt/config.js";
import type { Transport } from "./transport.js";
import { CLOUD_ADAPTERS, derivedBaseUrl } from "./clouds.js";
import { loadTls } from "./upstream-tls.js";

type HttpAdapter = (options: HttpProviderOptions, transport: Transport, preset: Preset | undefined) => Provider;

/** Wire protocols with an adapter in this build. */
const ADAPTERS: Partial<Record<ProviderConfig["type"], HttpAdapter>> = {
  openai: (options, transport, preset) =>
    new OpenAIProvider({ ...options, quirks: { maxTokensField: preset?.max_tokens_field, streamUsage: preset?.stream_usage, topK: preset?.top_k } }, transport),
  anthropic: (options, transport) => new AnthropicProvider(options, transport),
  ollama: (options, transport) => new OllamaProvider(options, transport),
  gemini: (options, transport) => new GeminiProvider(options, transport),
};

/** Loopback and private-network upstreams count as local (no data leaves the site). */
export function localityOf(baseUrl: string): Locality {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".local")) return Locality.LOCAL;
  if (isIP(host) === 4 && /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host)) return Locality.LOCAL;
  if (isIP(host) === 6 && (host === "::1" || /^f[cd]/i.test(host))) return Locality.LOCAL;
  return Locality.REMOTE;
}

/**
 * `env`: AWS_* credentials and GOOGLE_APPLICATION_CREDENTIALS for the cloud types (app.ts passes process.env).
 * `deps.log`: where managed engines (speech) write their lines, into hoosh's log.
 */
export function createProvider(config: ProviderConfig, index: number, transport: Transport, source: string, env: Env = {}, deps: Pick<SpeechDeps, "log"> = { log: () => {} }): Provider {
  // In-process engine: no wire protocol, no transport.
  if (config.type === "local") return createLocalProvider(config, index, source);
  if ((SPEECH_PROVIDER_TYPES as readonly string[]).includes(config.type)) return createSpeechProvider(config, index, source, { transport, ...deps });
  const adapter = ADAPTERS[config.type];
  const cloud = Object.hasOwn(CLOUD_ADAPTERS, config.type) ? CLOUD_ADAPTERS[config.type as keyof typeof CLOUD_ADAPTERS] : undefined;
  const baseUrl = config.base_url ?? derivedBaseUrl(config);
  if ((!adapter && !cloud) || baseUrl === undefined) {
    throw new ConfigError(source, [
      { path: `providers[${index}].type`, message: `"${config.type}" has no adapter in this build yet; available: ${[...Object.keys(ADAPTERS), ...Object.keys(CLOUD_ADAPTERS)].join(", ")}` },
    ]);
  }
  const where = `providers[${index}]`;
  const options: HttpProviderOptions = {
    name: config.name,
    baseUrl,
    apiKey: config.api_key,
    headers: config.headers,
    locality: localityOf(baseUrl),
    defaultMaxTokens: config.default_max_tokens,
    apiVersion: config.api_version,
    limits: {
      connectMs: config.timeouts.connect_ms,
      firstByteMs: config.timeouts.first_byte_ms,
      idleMs: config.timeouts.idle_ms,
      maxConnections: config.max_connections,
    },
    network: { apiOrigin: new URL(baseUrl).origin, tls: loadTls(config.tls, `${where}.tls`, source), proxy: config.proxy },
  };
  if (cloud) return cloud(options, transport, { config, where, source, env });
  return adapter!(options, transport, config.preset ? PRESETS[config.preset] : undefined);
}
