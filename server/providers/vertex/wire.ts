// Vertex AI JSON beyond what the Gemini and Anthropic wires already describe
// (../gemini/wire.ts, ../anthropic/wire.ts): the Anthropic body on rawPredict,
// text-embedding predict, and the service-account key file.
import type { MessagesRequest } from "../anthropic/wire.js";

/** Anthropic models on Vertex take the Messages body without `model` (it is in the path), with the version inside. */
export type VertexMessagesRequest = Omit<MessagesRequest, "model"> & { anthropic_version: string };

/** POST …/publishers/google/models/{model}:predict for text-embedding models. */
export interface PredictEmbeddingsRequest {
  instances: { content: string }[];
  parameters?: { outputDimensionality?: number };
}
export interface PredictEmbeddingsResponse {
  predictions?: { embeddings?: { values?: number[]; statistics?: { token_count?: number; truncated?: boolean } } }[];
}

/** The fields of a Google service-account JSON key that hoosh uses. */
export interface ServiceAccountKey {
  type?: string;
  project_id?: string;
  private_key_id?: string;
  private_key?: string;
  client_email?: string;
  token_uri?: string;
}
