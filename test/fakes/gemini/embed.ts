// POST /v1beta/models/{model}:batchEmbedContents and :embedContent —
// deterministic unit vectors (same as the OpenAI fake's), outputDimensionality honoured.
import { sendJson, type Conn } from "../openai/http.js";
import { embed } from "../openai/embeddings.js";
import { invalidRequest, scriptFor, sendGoogleError } from "./errors.js";
import { field, isObject } from "./validate.js";

type Json = Record<string, unknown>;
const DEFAULT_DIMENSIONS = 8;
const REQUEST_FIELDS = new Set(["model", "content", "taskType", "task_type", "title", "outputDimensionality", "output_dimensionality"]);

/** The vector for one EmbedContentRequest, or a Google error naming the field. */
function embedOne(request: unknown, model: string, at: string): number[] | ReturnType<typeof invalidRequest> {
  if (!isObject(request)) return invalidRequest(at, `Invalid JSON payload received. Expected an object at '${at}'.`);
  const unknown = Object.keys(request).find((k) => !REQUEST_FIELDS.has(k));
  if (unknown) return invalidRequest(at, `Invalid JSON payload received. Unknown name "${unknown}" at '${at}': Cannot find field.`);
  if (request.model !== undefined && request.model !== `models/${model}`) {
    const problem = `the model in the request (${String(request.model)}) must be the model of the batch (models/${model})`;
    return invalidRequest(`${at}.model`, `* BatchEmbedContentsRequest.${at}.model: ${problem}\n`);
  }
  const content = request.content;
  const parts = isObject(content) && Array.isArray(content.parts) ? content.parts.filter(isObject) : [];
  const text = parts.map((p) => (typeof p.text === "string" ? p.text : "")).join("");
  if (text === "") return invalidRequest(`${at}.content`, `* BatchEmbedContentsRequest.${at}.content.parts: contents must not be empty\n`);
  const dims = field(request, "outputDimensionality");
  return embed(text, Number.isInteger(dims) && (dims as number) > 0 ? Math.min(dims as number, 3072) : DEFAULT_DIMENSIONS);
}

export function handleEmbed(conn: Conn, model: string, batch: boolean, body: Json): void {
  const script = scriptFor(model, batch ? "batchEmbedContents" : "embedContent");
  if (script.kind === "error") return sendGoogleError(conn.res, script.error, script.headers);
  if (!batch) {
    const vector = embedOne(body, model, "");
    return Array.isArray(vector) ? sendJson(conn.res, 200, { embedding: { values: vector } }) : sendGoogleError(conn.res, vector);
  }
  const unknown = Object.keys(body).find((k) => k !== "requests");
  if (unknown) return sendGoogleError(conn.res, invalidRequest("", `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`));
  const requests = Array.isArray(body.requests) ? body.requests : [];
  if (requests.length === 0) return sendGoogleError(conn.res, invalidRequest("requests", "* BatchEmbedContentsRequest.requests: must not be empty\n"));
  const embeddings: Json[] = [];
  for (const [i, request] of requests.entries()) {
    const vector = embedOne(request, model, `requests[${i}]`);
    if (!Array.isArray(vector)) return sendGoogleError(conn.res, vector);
    embeddings.push({ values: vector });
  }
  sendJson(conn.res, 200, { embeddings });
}
