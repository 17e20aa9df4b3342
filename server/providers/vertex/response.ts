// Vertex text-embedding predictions to hoosh.v1 (Gemini and Claude answers
// are read by the gemini and anthropic adapters).
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { EmbedResponseSchema, type EmbedResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { upstreamUsage } from "../counts.js";
import type { PredictEmbeddingsResponse } from "./wire.js";

export function fromPredictEmbeddings(provider: string, model: string, inputs: number, res: PredictEmbeddingsResponse): EmbedResponse {
  const predictions = res.predictions ?? [];
  if (predictions.length !== inputs) {
    throw new ConnectError(`provider "${provider}" answered ${predictions.length} embeddings for ${inputs} inputs`, Code.Internal);
  }
  return create(EmbedResponseSchema, {
    model,
    embeddings: predictions.map((p, index) => ({ index, values: p.embeddings?.values ?? [] })),
    usage: upstreamUsage({ inputTokens: predictions.reduce((n, p) => n + (p.embeddings?.statistics?.token_count ?? 0), 0) }),
  });
}
