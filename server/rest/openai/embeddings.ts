// POST /v1/embeddings: OpenAI JSON in, the core's Embed, OpenAI's embedding
// list out (floats, or base64 of little-endian float32 as OpenAI encodes them).
import { create } from "@bufbuild/protobuf";
import { EmbedRequestSchema, type EmbedRequest, type EmbedResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { RestDeps } from "../handler.js";
import { readJson } from "../http-io.js";
import type { Exchange } from "./exchange.js";
import { Fields, invalid, isObject, missing, wrongType } from "./fields.js";
import type * as wire from "./wire.js";

const ENCODINGS = ["float", "base64"] as const;
type Encoding = (typeof ENCODINGS)[number];

const isTokens = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === "number" || Array.isArray(t));

function toInputs(input: unknown): string[] {
  if (input === undefined) throw missing("input", "a string or an array of strings");
  if (typeof input === "string") return [input];
  if (isTokens(input)) throw invalid("input", "token arrays are not supported; send the text as a string or an array of strings", "unsupported_value");
  if (!Array.isArray(input)) throw wrongType("input", "a string or an array of strings", input);
  input.forEach((item, i) => {
    if (typeof item !== "string") throw wrongType(`input[${i}]`, "a string", item);
  });
  return input as string[];
}

export function parseEmbeddingsRequest(body: unknown): { request: EmbedRequest; encoding: Encoding } {
  if (!isObject(body)) throw wrongType("body", "a JSON object", body);
  const f = new Fields(body);
  const request = create(EmbedRequestSchema, {
    model: f.requiredString("model", 'e.g. "text-embedding-3-small"'),
    inputs: toInputs(f.raw("input")),
    dimensions: f.integer("dimensions", 1, 0xffffffff),
    user: f.string("user") ?? "",
  });
  return { request, encoding: f.oneOf("encoding_format", ENCODINGS) ?? "float" };
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
  const { request, encoding } = parseEmbeddingsRequest(await readJson(ex.req, deps.maxBodyBytes));
  const res = await deps.inference.embed(request, ex.call);
  ex.json(200, embeddingListJson(res, request.model, encoding));
}
