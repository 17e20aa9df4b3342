// GET /v1beta/models (paginated with pageSize/pageToken) and GET /v1beta/models/{id}.
import { sendJson, type Conn } from "../openai/http.js";
import { modelNotFound, sendGoogleError } from "./errors.js";

const CHAT = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"];
/** At most this many per page whatever pageSize asks, so a full listing always takes two pages. */
const PAGE_SIZE = 4;

const model = (id: string, displayName: string, methods: string[], input = 1_048_576, output = 8_192) => ({
  name: `models/${id}`,
  version: "001",
  displayName,
  description: `${displayName} (hoosh fake)`,
  inputTokenLimit: input,
  outputTokenLimit: output,
  supportedGenerationMethods: methods,
  ...(methods.includes("generateContent") ? { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2 } : {}),
});

/** Listed by GET /models; scripted names work without being listed. */
export const MODELS = [
  model("gemini-2.0-flash", "Gemini 2.0 Flash", CHAT),
  model("gemini-2.5-flash", "Gemini 2.5 Flash", CHAT, 1_048_576, 65_536),
  model("aqa", "Model that performs Attributed Question Answering.", ["generateAnswer"], 7_168, 1_024),
  model("gemini-2.5-pro", "Gemini 2.5 Pro", CHAT, 1_048_576, 65_536),
  model("text-embedding-004", "Text Embedding 004", ["embedContent"], 2_048, 1),
  model("imagen-3.0-generate-002", "Imagen 3.0", ["predict"], 480, 8_192),
  model("gemini-embedding-001", "Gemini Embedding 001", ["embedContent", "countTextTokens", "countTokens"], 2_048, 1),
];

export function handleListModels(conn: Conn, query: URLSearchParams): void {
  const asked = Number.parseInt(query.get("pageSize") ?? "50", 10);
  const size = Math.min(Number.isFinite(asked) && asked > 0 ? asked : 50, PAGE_SIZE);
  const token = query.get("pageToken") ?? "";
  const offset = token ? Number.parseInt(Buffer.from(token, "base64url").toString("utf8").replace(/^offset:/, ""), 10) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > MODELS.length) {
    return sendGoogleError(conn.res, { code: 400, status: "INVALID_ARGUMENT", message: "Invalid page token." });
  }
  const page = MODELS.slice(offset, offset + size);
  const next = offset + size < MODELS.length ? Buffer.from(`offset:${offset + size}`).toString("base64url") : undefined;
  sendJson(conn.res, 200, next ? { models: page, nextPageToken: next } : { models: page });
}

export function handleGetModel(conn: Conn, id: string): void {
  const found = MODELS.find((m) => m.name === `models/${id}`);
  if (found) return sendJson(conn.res, 200, found);
  sendGoogleError(conn.res, modelNotFound(id, "getModel"));
}
