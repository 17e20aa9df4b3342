// Router for the fake Gemini upstream (generativelanguage v1beta): API key
// check, JSON parsing, observability, then the method handlers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readBytes, sendJson, type Conn } from "../openai/http.js";
import { handleEmbed } from "./embed.js";
import { API_KEY_INVALID, googleError, INTERNAL, sendGoogleError, UNREGISTERED_CALLER } from "./errors.js";
import { GeminiEventLog } from "./events.js";
import { handleGenerate } from "./generate.js";
import { handleGetModel, handleListModels } from "./models.js";
import { Invalid, isObject } from "./validate.js";

export interface FakeGeminiOptions {
  /** When set, /v1beta/* requires this key (x-goog-api-key header or ?key=). */
  apiKey?: string;
  /** Delay before the first byte for model "fake-slow-first-byte" (default 3000). */
  slowMs?: number;
}

const METHOD_PATH = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/;
const MODEL_PATH = /^\/v1beta\/models\/([^/:]+)$/;
const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
};

/** Google's front end answers unknown URLs with an HTML page, not JSON. */
function sendHtml404(res: ServerResponse, method: string, path: string): void {
  const html =
    "<!DOCTYPE html>\n<html lang=en><title>Error 404 (Not Found)!!1</title><p><b>404.</b> <ins>That’s an error.</ins>" +
    `<p>The requested URL <code>${path}</code> was not found on this server (${method}). <ins>That’s all we know.</ins>`;
  res.writeHead(404, { "content-type": "text/html; charset=UTF-8" });
  res.end(html);
}

export function createFakeGeminiServer(opts: FakeGeminiOptions = {}): Server {
  const events = new GeminiEventLog();
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

    const call = METHOD_PATH.exec(path);
    const single = MODEL_PATH.exec(path);
    const model = call ? decodeURIComponent(call[1]!) : single ? decodeURIComponent(single[1]!) : null;
    const action = call?.[2] ?? null;
    // Track disconnects before anything is awaited.
    const ac = new AbortController();
    const conn: Conn = { req, res, signal: ac.signal, chunks: 0 };
    res.on("close", () => {
      if (!res.writableFinished) events.push({ type: "client-closed", at: Date.now(), path, model, afterChunks: conn.chunks });
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
    const query = Object.fromEntries([...url.searchParams].map(([k, v]) => [k, k === "key" ? "(redacted)" : v]));
    events.push({
      type: "request",
      at: Date.now(),
      method,
      path,
      query,
      model,
      action,
      headers: {
        "x-goog-api-key": req.headers["x-goog-api-key"] !== undefined,
        keyInQuery: url.searchParams.has("key"),
        accept: header(req, "accept"),
        "user-agent": header(req, "user-agent"),
        traceparent: header(req, "traceparent"),
        "x-request-id": header(req, "x-request-id"),
      },
      body,
    });

    const known =
      (method === "POST" && call !== null && ["generateContent", "streamGenerateContent", "batchEmbedContents", "embedContent"].includes(action!)) ||
      (method === "GET" && (path === "/v1beta/models" || single !== null));
    if (!known) return sendHtml404(res, method, path);
    if (opts.apiKey !== undefined) {
      const key = header(req, "x-goog-api-key") ?? url.searchParams.get("key");
      if (key === null) return sendGoogleError(res, UNREGISTERED_CALLER);
      if (key !== opts.apiKey) return sendGoogleError(res, API_KEY_INVALID);
    }

    if (method === "GET") return single ? handleGetModel(conn, model!) : handleListModels(conn, url.searchParams);
    if (badJson || !isObject(body)) {
      return sendGoogleError(res, googleError(400, "INVALID_ARGUMENT", `Invalid JSON payload received. ${badJson ? "Unexpected token." : "Expected an object."}`));
    }
    try {
      if (action === "generateContent" || action === "streamGenerateContent") {
        const stream = action === "streamGenerateContent";
        return await handleGenerate(conn, model!, stream, stream && url.searchParams.get("alt") === "sse", body, slowMs);
      }
      return handleEmbed(conn, model!, action === "batchEmbedContents", body);
    } catch (err) {
      if (err instanceof Invalid) return sendGoogleError(res, err.error);
      throw err;
    }
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      process.stderr.write(`fake-gemini: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) sendGoogleError(res, INTERNAL);
      else res.destroy();
    });
  });
}
