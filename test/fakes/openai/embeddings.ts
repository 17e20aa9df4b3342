// POST /v1/embeddings — deterministic, unit-length vectors.
import { createHash } from "node:crypto";
import { apiError, sendError, sendJson, sleep, type Conn } from "./http.js";
import { scriptFor } from "./scripts.js";

type Json = Record<string, unknown>;
const DEFAULT_DIMENSIONS = 8;

const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.every((t) => Number.isInteger(t));

/** Normalises `input` to a list of items; null if the shape is invalid. */
function inputs(input: unknown): Array<string | number[]> | null {
  if (typeof input === "string") return [input];
  if (isTokens(input) && input.length > 0) return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((i) => typeof i === "string" || isTokens(i))) {
    return input as Array<string | number[]>;
  }
  return null;
}

/** Deterministic unit vector of float32-representable values derived from `text`. */
export function embed(text: string, dimensions = DEFAULT_DIMENSIONS): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${text}\u0000${block}`).digest();
    for (let i = 0; i < digest.length && raw.length < dimensions; i += 4) {
      raw.push(digest.readUInt32LE(i) / 0xffffffff * 2 - 1);
    }
  }
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

/**
 * Model "fake-words-embedding": a bag-of-words vector (each lowercased word hashed to one of
 * `dimensions` slots, default 256), so texts sharing words are close, as with a real embedding
 * model: cosine("What is the capital of France?", "what is the capital of france") = 1, and
 * 5/6 against "What is the capital of Spain?". For semantic-cache tests.
 */
export const WORDS_MODEL = "fake-words-embedding";
const WORDS_DIMENSIONS = 256;

export function embedWords(text: string, dimensions = WORDS_DIMENSIONS): number[] {
  const raw = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9']+/g) ?? []) {
    raw[createHash("sha256").update(word).digest().readUInt32LE(0) % dimensions]! += 1;
  }
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

export function toBase64(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString("base64");
}

export async function handleEmbeddings(conn: Conn, body: Json, slowMs: number): Promise<void> {
  if (typeof body.model !== "string" || body.model === "") {
    return sendError(conn.res, 400, apiError("you must provide a model parameter"));
  }
  if (body.input === undefined) {
    return sendError(conn.res, 400, apiError("Missing required parameter: 'input'.", "invalid_request_error", "input", "missing_required_parameter"));
  }
  const items = inputs(body.input);
  if (!items || items.some((i) => i === "")) {
    return sendError(conn.res, 400, apiError("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "invalid_request_error", "input"));
  }
  const script = scriptFor(body.model);
  if (script.kind === "error") return sendError(conn.res, script.status, script.error, script.headers);
  if (script.kind === "slow-first-byte" && !(await sleep(slowMs, conn.signal))) return;

  const words = body.model === WORDS_MODEL;
  const dims = Number.isInteger(body.dimensions) && (body.dimensions as number) > 0 ? Math.min(body.dimensions as number, 3072) : words ? WORDS_DIMENSIONS : DEFAULT_DIMENSIONS;
  const base64 = body.encoding_format === "base64";
  let tokens = 0;
  const data = items.map((item, index) => {
    const text = typeof item === "string" ? item : item.join(" ");
    tokens += typeof item === "string" ? Math.max(1, text.split(/\s+/).filter(Boolean).length) : item.length;
    const vector = words ? embedWords(text, dims) : embed(text, dims);
    return { object: "embedding", index, embedding: base64 ? toBase64(vector) : vector };
  });
  sendJson(conn.res, 200, { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}
