// GET /v1/models (paginated: limit, after_id, before_id -> data, has_more,
// first_id, last_id) and GET /v1/models/{id}. The header x-fake-page-size caps
// the page size so tests can exercise pagination with a short list.
import { apiError, headerInt, sendError, sendJson, type Conn } from "./http.js";
import { MODELS } from "./scripts.js";

export function listModels(conn: Conn, query: URLSearchParams): void {
  const limit = query.has("limit") ? Number(query.get("limit")) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return sendError(conn.res, 400, apiError("limit: Input should be less than or equal to 1000"));
  }
  const size = Math.min(limit, headerInt(conn.req, "x-fake-page-size") ?? limit);
  const after = query.get("after_id");
  const before = query.get("before_id");
  let start = 0;
  let end = MODELS.length;
  if (after !== null) start = MODELS.findIndex((m) => m.id === after) + 1;
  if (before !== null) end = Math.max(0, MODELS.findIndex((m) => m.id === before));
  // before_id pages backwards: the page is the `size` models just before the cursor.
  const page = before !== null ? MODELS.slice(Math.max(start, end - size), end) : MODELS.slice(start, Math.min(end, start + size));
  const has_more = before !== null ? end - size > start : start + size < end;
  sendJson(conn.res, 200, { data: page, has_more, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null });
}

export function getModel(conn: Conn, id: string): void {
  const found = MODELS.find((m) => m.id === id);
  if (found) return sendJson(conn.res, 200, found);
  sendError(conn.res, 404, apiError(`model: ${id}`, "not_found_error"));
}
