// POST /v1/embeddings: OpenAI JSON in, the core's Embed, OpenAI's embedding
// list out (floats, or base64 of little-endian float32 as OpenAI encodes them).
import { create } from "@bufbuild/protobuf";
import { EmbedRequestSchema, type EmbedRequest, type EmbedResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { invalidArgument } from "../../core/errors.js";
import type * as wire from "../../providers/openai/wire.js";
import type { Exchange } from "../exchange.js";
import type { RestDeps } from "../handler.js";
import { parseBody, readJson, unknownKeys } from "../json-body.js";
import { EmbeddingsBody } from "./chat-schema.js";

type Encoding = "float" | "base64";

export function parseEmbeddingsRequest(raw: unknown): { request: EmbedRequest; encoding: Encoding; ignored: string[] } {
  const b = parseBody(EmbeddingsBody, raw);
  if (Array.isArray(b.input) && b.input.length > 0 && typeof b.input[0] !== "string") {
    throw invalidArgument("input", "token arrays are not supported; send the text as a string or an array of strings", "UNSUPPORTED_VALUE");
  }
  const request = create(EmbedRequestSchema, {
    model: b.model,
    inputs: typeof b.input === "string" ? [b.input] : (b.input as string[]),
    dimensions: b.dimensions ?? undefined,
    user: b.user ?? "",
  });
  return { request, encoding: b.encoding_format ?? "float", ignored: unknownKeys(EmbeddingsBody, raw) };
}

/** OpenAI's base64 form: the vector's float32 values, little-endian, back to back. */
export function float32Base64(values: number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString("base64");
}

export function embeddingListJson(res: EmbedResponse, requestedModel: string, encoding: Encoding): wire.EmbeddingList {
  const tokens = res.usage?.inputTokens ?? 0;
  return {
    object: "list",
    data: [...res.embeddings]
      .sort((a, b) => a.index - b.index)
      .map((e) => ({ object: "embedding", index: e.index, embedding: encoding === "base64" ? float32Base64(e.values) : e.values })),
    model: res.model || requestedModel,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

export async function embeddings(ex: Exchange, deps: RestDeps): Promise<void> {
  const { request, encoding, ignored } = parseEmbeddingsRequest(await readJson(ex.req, deps.maxBodyBytes));
  ex.ignore(ignored);
  const res = await deps.inference.embed(request, ex.call);
  ex.json(200, embeddingListJson(res, request.model, encoding));
}
