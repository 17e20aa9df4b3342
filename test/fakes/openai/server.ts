// Router for the fake OpenAI upstream: auth, JSON/multipart parsing, observability.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleChat } from "./chat.js";
import { handleEmbeddings } from "./embeddings.js";
import { EventLog } from "./events.js";
import { apiError, randomId, readBytes, sendError, sendJson, type Conn } from "./http.js";
import { INVALID_API_KEY, MODELS } from "./scripts.js";
import { handleSpeech, SpeechGate } from "./speech.js";
import { handleTranscription, readUpload } from "./transcriptions.js";

export interface FakeOpenAIOptions {
  /** When set, /v1/* requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Delay before the first byte for model "fake-slow-first-byte" (default 3000). */
  slowMs?: number;
}

type Json = Record<string, unknown>;
const TRANSCRIPTIONS = "/v1/audio/transcriptions";
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
};

export function createFakeOpenAIServer(opts: FakeOpenAIOptions = {}): Server {
  const events = new EventLog();
  const slowMs = opts.slowMs ?? 3000;
  const gate = new SpeechGate();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake.invalid").pathname;
    if (method === "GET" && path === "/_fake/events") return sendJson(res, 200, events.list());
    if (method === "POST" && path === "/_fake/reset") {
      events.clear();
      gate.release();
      return sendJson(res, 200, { ok: true });
    }
    // Test control: the next speech answers stop after their first chunk until /_fake/release, so
    // a test can see audio relayed while the upstream is still sending (no timing involved).
    if (method === "POST" && path === "/_fake/hold-speech") {
      gate.hold();
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/_fake/release") {
      gate.release();
      return sendJson(res, 200, { ok: true });
    }

    // Track disconnects before anything is awaited.
    const ac = new AbortController();
    const conn: Conn = { req, res, signal: ac.signal, chunks: 0 };
    let model: string | null = null;
    res.on("close", () => {
      if (!res.writableFinished) events.push({ type: "client-closed", path, model, afterChunks: conn.chunks, at: Date.now() });
      ac.abort();
    });
    res.setHeader("x-request-id", randomId("req_", 32));
    res.setHeader("openai-version", "2020-10-01");

    const bytes = await readBytes(req);
    const raw = bytes.toString("utf8");
    // Uploads are multipart, not JSON; their event body is an UploadRecord.
    const upload = method === "POST" && path === TRANSCRIPTIONS ? await readUpload(header(req, "content-type"), bytes) : null;
    let body: unknown = upload?.record ?? null;
    let badJson = false;
    if (!upload && raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badJson = true;
      }
    }
    const json = isObject(body) ? body : null;
    const uploadModel = upload?.record.fields.model;
    model = typeof json?.model === "string" ? json.model : typeof uploadModel === "string" ? uploadModel : null;
    events.push({
      type: "request",
      method,
      path,
      model,
      stream: json?.stream === true,
      headers: {
        authorization: req.headers.authorization !== undefined,
        "user-agent": header(req, "user-agent"),
        traceparent: header(req, "traceparent"),
        "x-request-id": header(req, "x-request-id"),
      },
      body,
    });

    const modelMatch = /^\/v1\/models\/([^/]+)$/.exec(path);
    const known =
      (method === "POST" && (path === "/v1/chat/completions" || path === "/v1/embeddings" || path === TRANSCRIPTIONS || path === "/v1/audio/speech")) ||
      (method === "GET" && (path === "/v1/models" || modelMatch !== null));
    if (!known) return sendError(res, 404, apiError(`Invalid URL (${method} ${path})`));
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return sendError(res, 401, INVALID_API_KEY);
    }

    if (method === "GET") {
      if (!modelMatch) return sendJson(res, 200, { object: "list", data: MODELS });
      const id = decodeURIComponent(modelMatch[1] ?? "");
      const found = MODELS.find((m) => m.id === id);
      if (found) return sendJson(res, 200, found);
      const message = `The model '${id}' does not exist`;
      return sendError(res, 404, apiError(message, "invalid_request_error", "model", "model_not_found"));
    }

    if (upload) return handleTranscription(conn, upload, slowMs);
    if (badJson || !json) {
      return sendError(
        res,
        400,
        apiError(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
            "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        ),
      );
    }
    if (path === "/v1/chat/completions") return handleChat(conn, json, slowMs);
    if (path === "/v1/audio/speech") return handleSpeech(conn, json, gate);
    return handleEmbeddings(conn, json, slowMs);
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      process.stderr.write(`fake-openai: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) sendError(res, 500, apiError("fake upstream crashed", "server_error"));
      else res.destroy();
    });
  });
}
