// Vertex AI endpoints: every model method is a path under the provider's
// project and location, by publisher (google for Gemini, anthropic for Claude).
import type { MessagesRequest } from "../anthropic/wire.js";
import type { EmbedRequest } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { PredictEmbeddingsRequest, VertexMessagesRequest } from "./wire.js";

/** The version Vertex requires in the body of Anthropic requests. */
export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

/** The regional endpoint ("global" has none of its own). */
export function vertexBaseUrl(location: string): string {
  return location === "global" ? "https://aiplatform.googleapis.com" : `https://${location}-aiplatform.googleapis.com`;
}

/** Claude models are Anthropic's publisher; the rest Google's. */
export function publisherOf(model: string): "anthropic" | "google" {
  return /^claude/i.test(model) ? "anthropic" : "google";
}

export function vertexPath(project: string, location: string, model: string, method: string): string {
  const publisher = publisherOf(model);
  return `/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/${publisher}/models/${encodeURIComponent(model)}:${method}`;
}

export function toVertexMessages(body: MessagesRequest): VertexMessagesRequest {
  const { model: _model, ...rest } = body;
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
}

export function toPredictEmbeddings(req: EmbedRequest): PredictEmbeddingsRequest {
  return { instances: req.inputs.map((content) => ({ content })), ...(req.dimensions ? { parameters: { outputDimensionality: req.dimensions } } : {}) };
}
