// The cloud provider types (issue #21): how each is built from its config
// entry, and the endpoint each derives when base_url is unset.
import type { Env, ProviderConfig } from "../config/index.js";
import { createAzureProvider } from "./azure/client.js";
import { bedrockBaseUrl, BedrockProvider } from "./bedrock/client.js";
import { resolveAwsCredentials } from "./bedrock/credentials.js";
import type { HttpProviderOptions } from "./http-upstream.js";
import type { Provider } from "./provider.js";
import type { Transport } from "./transport.js";
import { vertexBaseUrl } from "./vertex/request.js";
import { VertexProvider } from "./vertex/client.js";
import { loadServiceAccount } from "./vertex/auth.js";

export interface CloudContext {
  config: ProviderConfig;
  /** "providers[3]", for config errors. */
  where: string;
  source: string;
  env: Env;
}

type CloudAdapter = (options: HttpProviderOptions, transport: Transport, ctx: CloudContext) => Provider;

export const CLOUD_ADAPTERS: Record<"azure" | "bedrock" | "vertex", CloudAdapter> = {
  azure: (options, transport, { config }) => {
    const c = config.credentials;
    const entra = c?.tenant_id && c.client_id && c.client_secret ? { tenant_id: c.tenant_id, client_id: c.client_id, client_secret: c.client_secret, authority_host: c.authority_host } : undefined;
    return createAzureProvider(options, transport, { deployments: config.deployments ?? {}, entra });
  },
  bedrock: (options, transport, { config, where, source, env }) =>
    new BedrockProvider(options, transport, { region: config.region!, credentials: resolveAwsCredentials(config.credentials, env, where, source) }),
  vertex: (options, transport, { config, where, source, env }) =>
    new VertexProvider(options, transport, { project: config.project!, location: config.location!, account: loadServiceAccount(config.credentials, env, where, source) }),
};

/** The endpoint of a cloud provider without base_url. */
export function derivedBaseUrl(config: ProviderConfig): string | undefined {
  if (config.type === "bedrock" && config.region) return bedrockBaseUrl(config.region);
  if (config.type === "vertex" && config.location) return vertexBaseUrl(config.location);
  return undefined;
}
