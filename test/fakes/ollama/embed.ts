// POST /api/embed: deterministic unit vectors, one per input, in input order.
import { embed } from "../openai/embeddings.js";
import { sendError, sendJson, sleep, type Conn } from "./http.js";
import { scriptFor } from "./scripts.js";

type Json = Record<string, unknown>;
const DEFAULT_DIMENSIONS = 8;

export async function handleEmbed(conn: Conn, body: Json, slowMs: number): Promise<void> {
  if (typeof body.model !== "string" || body.model === "") return sendError(conn.res, 400, "model is required");
  const input = body.input;
  const items = typeof input === "string" ? [input] : input === undefined ? [] : input;
  if (!Array.isArray(items) || !items.every((i) => typeof i === "string")) return sendError(conn.res, 400, "invalid input type");
  const script = scriptFor(body.model);
  if (script.kind === "error") return sendError(conn.res, script.status, script.message, script.headers);
  if (script.kind === "slow-first-byte" && !(await sleep(slowMs, conn.signal))) return;
  if (items.some((i) => i === "")) return sendError(conn.res, 400, "input cannot be empty");

  const dims = Number.isInteger(body.dimensions) && (body.dimensions as number) > 0 ? Math.min(body.dimensions as number, 4096) : DEFAULT_DIMENSIONS;
  const tokens = items.reduce((n, text) => n + Math.max(1, text.split(/\s+/).filter(Boolean).length), 0);
  sendJson(conn.res, 200, {
    model: body.model,
    embeddings: items.map((text) => embed(text, dims)),
    total_duration: 14_143_917,
    load_duration: 1_019_500,
    prompt_eval_count: tokens,
  });
}
