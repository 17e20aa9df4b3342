// Builds a provider instance from its config entry, by wire protocol.
import { isIP } from "node:net";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { ConfigError } from "../config/index.js";
import type { ProviderConfig } from "../config/index.js";
import { OpenAIProvider } from "./openai/client.js";
import type { Provider } from "./provider.js";
import type { Transport } from "./transport.js";

const SUPPORTED = ["openai"];

/** Loopback and private-network upstreams count as local (no data leaves the site). */
export function localityOf(baseUrl: string): Locality {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".local")) return Locality.LOCAL;
  if (isIP(host) === 4 && /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host)) return Locality.LOCAL;
  if (isIP(host) === 6 && (host === "::1" || /^f[cd]/i.test(host))) return Locality.LOCAL;
  return Locality.REMOTE;
}

export function createProvider(config: ProviderConfig, index: number, transport: Transport, source: string): Provider {
  switch (config.type) {
    case "openai":
      return new OpenAIProvider(
        {
          name: config.name,
          baseUrl: config.base_url!,
          apiKey: config.api_key,
          headers: config.headers,
          locality: localityOf(config.base_url!),
          limits: {
            connectMs: config.timeouts.connect_ms,
            firstByteMs: config.timeouts.first_byte_ms,
            idleMs: config.timeouts.idle_ms,
            maxConnections: config.max_connections,
          },
        },
        transport,
      );
    default:
      throw new ConfigError(source, [
        { path: `providers[${index}].type`, message: `"${config.type}" has no adapter in this build yet; available: ${SUPPORTED.join(", ")}` },
      ]);
  }
}
