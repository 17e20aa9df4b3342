// Router of the fake Ollama: auth, JSON parsing, observability, and Ollama's
// own answers for the root, unknown paths and bad bodies.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleChat } from "./chat.js";
import { handleEmbed } from "./embed.js";
import { EventLog } from "./events.js";
import { readBytes, sendError, sendJson, sendText, type Conn } from "./http.js";
import { MODELS, VERSION } from "./scripts.js";

export interface FakeOllamaOptions {
  /** When set, /api/* requires `Authorization: Bearer <apiKey>` (Ollama behind a proxy). */
  apiKey?: string;
  /** Delay before the first byte for model "fake-slow-first-byte" (default 3000). */
  slowMs?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
};
const ROUTES = new Set(["POST /api/chat", "POST /api/embed", "GET /api/tags", "GET /api/version", "GET /", "HEAD /"]);

export function createFakeOllamaServer(opts: FakeOllamaOptions = {}): Server {
  const events = new EventLog();
  const slowMs = opts.slowMs ?? 3000;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake.invalid").pathname;
    if (method === "GET" && path === "/_fake/events") return sendJson(res, 200, events.list());
    if (method === "POST" && path === "/_fake/reset") {
      events.clear();
      return sendJson(res, 200, { ok: true });
    }

    // Track disconnects before anything is awaited.
    const ac = new AbortController();
    const conn: Conn = { req, res, signal: ac.signal, chunks: 0, selfClosed: false };
    let model: string | null = null;
    res.on("close", () => {
      if (!res.writableFinished && !conn.selfClosed) events.push({ type: "client-closed", at: Date.now(), path, model, afterChunks: conn.chunks });
      ac.abort();
    });

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
      model,
      stream: path === "/api/chat" && json?.stream !== false,
      headers: {
        authorization: req.headers.authorization !== undefined,
        "user-agent": header(req, "user-agent"),
        traceparent: header(req, "traceparent"),
        "x-request-id": header(req, "x-request-id"),
        accept: header(req, "accept"),
      },
      body,
    });

    if (!ROUTES.has(`${method} ${path}`)) return sendText(res, 404, "404 page not found");
    if (path === "/") return sendText(res, 200, "Ollama is running");
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) return sendError(res, 401, "unauthorized");
    if (path === "/api/version") return sendJson(res, 200, { version: VERSION });
    if (path === "/api/tags") return sendJson(res, 200, { models: MODELS });

    if (raw.trim() === "") return sendError(res, 400, "missing request body");
    if (badJson) return sendError(res, 400, `invalid character '${raw.trim()[0]}' looking for beginning of value`);
    if (!json) return sendError(res, 400, "json: cannot unmarshal non-object into Go value of type api.ChatRequest");
    if (path === "/api/chat") return handleChat(conn, json, slowMs);
    return handleEmbed(conn, json, slowMs);
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      process.stderr.write(`fake-ollama: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) sendError(res, 500, "fake upstream crashed");
      else res.destroy();
    });
  });
}
