// Router of the fake Anthropic upstream: observability endpoints, auth
// (x-api-key), the required anthropic-version header, JSON parsing.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { EventLog } from "./events.js";
import { apiError, header, newRequestId, readBytes, sendError, sendJson, type Conn } from "./http.js";
import { handleMessages } from "./messages.js";
import { getModel, listModels } from "./models.js";
import { INVALID_API_KEY } from "./scripts.js";

export interface FakeAnthropicOptions {
  /** When set, /v1/* requires `x-api-key: <apiKey>`. */
  apiKey?: string;
  /** Delay before the first byte for model "fake-slow-first-byte" (default 3000). */
  slowMs?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function createFakeAnthropicServer(opts: FakeAnthropicOptions = {}) {
  const events = new EventLog();
  const slowMs = opts.slowMs ?? 3000;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = url.pathname;
    if (method === "GET" && path === "/_fake/events") return sendJson(res, 200, events.list());
    if (method === "POST" && path === "/_fake/reset") {
      events.clear();
      return sendJson(res, 200, { ok: true });
    }

    // Track disconnects before anything is awaited.
    const ac = new AbortController();
    const conn: Conn = { req, res, signal: ac.signal, chunks: 0 };
    let model: string | null = null;
    res.on("close", () => {
      if (!res.writableFinished) events.push({ type: "client-closed", at: Date.now(), path, model, afterChunks: conn.chunks });
      ac.abort();
    });
    res.setHeader("request-id", newRequestId());

    const raw = (await readBytes(req)).toString("utf8");
    let body: unknown = null;
    let badJson = false;
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badJson = true;
      }
    }
    const json = isObject(body) ? body : null;
    model = typeof json?.model === "string" ? json.model : null;
    events.push({
      type: "request",
      at: Date.now(),
      method,
      path,
      query: url.search.slice(1),
      model,
      stream: json?.stream === true,
      headers: {
        "x-api-key": req.headers["x-api-key"] !== undefined,
        "anthropic-version": header(req, "anthropic-version"),
        "anthropic-beta": header(req, "anthropic-beta"),
        "user-agent": header(req, "user-agent"),
        traceparent: header(req, "traceparent"),
        "x-request-id": header(req, "x-request-id"),
      },
      body,
    });

    const modelMatch = /^\/v1\/models\/([^/]+)$/.exec(path);
    const known = (method === "POST" && path === "/v1/messages") || (method === "GET" && (path === "/v1/models" || modelMatch !== null));
    if (!known) return sendError(res, 404, apiError("Not Found", "not_found_error"));
    if (opts.apiKey !== undefined) {
      const key = header(req, "x-api-key");
      if (key === null) return sendError(res, 401, apiError("x-api-key header is required", "authentication_error"));
      if (key !== opts.apiKey) return sendError(res, 401, INVALID_API_KEY);
    }
    if (!header(req, "anthropic-version")) return sendError(res, 400, apiError("anthropic-version: header is required"));

    if (method === "GET") return modelMatch ? getModel(conn, decodeURIComponent(modelMatch[1]!)) : listModels(conn, url.searchParams);
    if (badJson || !json) return sendError(res, 400, apiError("There was an issue with the JSON body of your request: it is not a valid JSON object."));
    return handleMessages(conn, json, slowMs);
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      process.stderr.write(`fake-anthropic: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) sendError(res, 500, apiError("fake upstream crashed", "api_error"));
      else res.destroy();
    });
  });
}
