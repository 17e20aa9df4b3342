// Azure OpenAI: a configuration of the openai adapter. Models map to
// deployments (/openai/deployments/{deployment}/...), every call carries
// ?api-version=, and the credential is the api-key header or a Microsoft Entra
// bearer token. Chat, streams, tools, embeddings and transcription are the
// openai adapter's; errors add Azure's content filter.
import type { HttpProviderOptions } from "../http-upstream.js";
import { OpenAIProvider, type OpenAIRoutes } from "../openai/client.js";
import type { Transport } from "../transport.js";
import { EntraCredential, type EntraCredentials } from "./entra.js";
import { azureHttpError } from "./errors.js";

/** The GA data-plane version hoosh is written against. */
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

export interface AzureOptions {
  /** Model id -> deployment name; a model not listed is its own deployment name. */
  deployments: Record<string, string>;
  /** Microsoft Entra client credentials, instead of api_key. */
  entra?: EntraCredentials;
}

/** Deployment paths with the api-version query. */
export function azureRoutes(deployments: Record<string, string>, apiVersion: string): OpenAIRoutes {
  const query = `?api-version=${encodeURIComponent(apiVersion)}`;
  return {
    path: (operation, model) => {
      const deployment = Object.hasOwn(deployments, model) ? deployments[model]! : model;
      return `/openai/deployments/${encodeURIComponent(deployment)}/${operation}${query}`;
    },
    // The data plane cannot list deployments; GET /openai/models checks the endpoint and the
    // credential (health probes), and the configured deployments are what hoosh can route.
    listModels: async (http, call) => {
      const res = await http.send("GET", `/openai/models${query}`, undefined, call);
      await res.body.dump();
      return Object.keys(deployments);
    },
  };
}

export function createAzureProvider(options: HttpProviderOptions, transport: Transport, azure: AzureOptions): OpenAIProvider {
  const entra = azure.entra ? new EntraCredential(options.name, azure.entra, transport, options.limits, options.network) : undefined;
  return new OpenAIProvider(
    {
      ...options,
      type: "azure",
      routes: azureRoutes(azure.deployments, options.apiVersion ?? DEFAULT_AZURE_API_VERSION),
      apiKeyHeader: "api-key",
      authorize: entra?.authorize,
      mapError: azureHttpError,
      // Azure takes max_tokens on chat deployments and sends usage in the last chunk when asked.
      quirks: { maxTokensField: "max_tokens", streamUsage: true },
    },
    transport,
  );
}
