// Fake Google Vertex AI for one project and location, with the OAuth token
// endpoint of its service account (oauth.ts). API calls need a bearer token
// this endpoint issued, for the right project and location. Gemini models
// (publishers/google) are served by the fake Gemini's handlers, Claude models
// (publishers/anthropic, rawPredict / streamRawPredict) by the fake
// Anthropic's, after the checks Vertex adds: the anthropic_version inside the
// body and no model field (the model is in the path).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleMessages } from "../anthropic/messages.js";
import { sendError as sendAnthropicError, apiError } from "../anthropic/http.js";
import { googleError, sendGoogleError } from "../gemini/errors.js";
import { handleGenerate } from "../gemini/generate.js";
import { Invalid } from "../gemini/validate.js";
import { embed } from "../openai/embeddings.js";
import { readBytes, sendJson, type Conn } from "../openai/http.js";
import { VertexEventLog } from "./events.js";
import { TokenIssuer, type ServiceAccountCheck } from "./oauth.js";

export interface FakeVertexOptions {
  project: string;
  location: string;
  account: Omit<ServiceAccountCheck, "tokenUrl">;
  slowMs: number;
}

const METHOD = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/;
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const UNAUTHENTICATED = googleError(
  401,
  "UNAUTHENTICATED",
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
);

export function createFakeVertexServer(opts: FakeVertexOptions): Server {
  const events = new VertexEventLog();
  let issuer: TokenIssuer | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = url.pathname;
    if (method === "GET" && path === "/_fake/events") return sendJson(res, 200, events.list());
    if (method === "GET" && path === "/_fake/tokens") return sendJson(res, 200, { issued: issuer?.issued ?? 0 });
    if (method === "POST" && path === "/_fake/reset") {
      events.clear();
      return sendJson(res, 200, { ok: true });
    }
    // The token URL names this server's own address (the assertion's audience).
    issuer ??= new TokenIssuer({ ...opts.account, tokenUrl: `http://${req.headers.host}/token` });
    const m = METHOD.exec(path);
    const model = m ? decodeURIComponent(m[4]!) : null;
    const ac = new AbortController();
    const conn: Conn = { req, res, signal: ac.signal, chunks: 0 };
    res.on("close", () => {
      if (!res.writableFinished) events.push({ type: "client-closed", at: Date.now(), path, model, afterChunks: conn.chunks });
      ac.abort();
    });
    const raw = (await readBytes(req)).toString("utf8");
    if (method === "POST" && path === "/token") {
      events.push({ type: "request", at: Date.now(), method, path, model: null, action: "token", bearer: "-", body: null });
      return issuer.handle(res, String(req.headers["content-type"] ?? ""), raw);
    }
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const bearer = issuer.bearer(req.headers.authorization);
    events.push({ type: "request", at: Date.now(), method, path: `${path}${url.search}`, model, action: m?.[5] ?? null, bearer, body });
    if (!m || method !== "POST") return sendGoogleError(res, googleError(404, "NOT_FOUND", `The requested URL ${path} was not found on this server.`));
    if (bearer !== "ok") return sendGoogleError(res, UNAUTHENTICATED);
    const [, project, location, publisher, , action] = m;
    if (project !== opts.project) return sendGoogleError(res, googleError(403, "PERMISSION_DENIED", `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${project}/locations/${location}' (or it may not exist).`));
    if (location !== opts.location) return sendGoogleError(res, googleError(404, "NOT_FOUND", `Publisher Model \`projects/${project}/locations/${location}/publishers/${publisher}/models/${model}\` not found.`));
    if (!isObject(body)) return sendGoogleError(res, googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    if (model === "fake-quota") {
      return sendGoogleError(res, googleError(429, "RESOURCE_EXHAUSTED", `Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model with base model: ${model}. Please submit a quota increase request.`));
    }
    try {
      if (publisher === "anthropic") {
        if (action !== "rawPredict" && action !== "streamRawPredict") return sendGoogleError(res, googleError(400, "FAILED_PRECONDITION", `Method ${action} is not supported for Anthropic models; use rawPredict or streamRawPredict.`));
        if (body.anthropic_version !== "vertex-2023-10-16") return sendAnthropicError(res, 400, apiError("anthropic_version: Input should be 'vertex-2023-10-16'"));
        if ("model" in body) return sendAnthropicError(res, 400, apiError("model: Extra inputs are not permitted"));
        if ((action === "streamRawPredict") !== (body.stream === true)) return sendAnthropicError(res, 400, apiError("stream: streamRawPredict needs stream: true, rawPredict stream: false"));
        const { anthropic_version: _v, ...messages } = body;
        // "claude-fake-429" runs the anthropic fake's scripted "fake-429".
        return await handleMessages(conn, { ...messages, model: model!.replace(/^claude-(?=fake-)/, "") }, opts.slowMs);
      }
      if (action === "predict") {
        const instances = Array.isArray(body.instances) ? body.instances : [];
        if (instances.length === 0 || !instances.every((i) => isObject(i) && typeof i.content === "string")) return sendGoogleError(res, googleError(400, "INVALID_ARGUMENT", "instances: each instance needs a content string"));
        const params = isObject(body.parameters) ? body.parameters : {};
        const dims = typeof params.outputDimensionality === "number" ? params.outputDimensionality : 768;
        return sendJson(res, 200, {
          predictions: instances.map((i) => ({ embeddings: { values: embed(String((i as Json).content), dims), statistics: { token_count: String((i as Json).content).split(/\s+/).length, truncated: false } } })),
        });
      }
      if (action !== "generateContent" && action !== "streamGenerateContent") return sendGoogleError(res, googleError(400, "INVALID_ARGUMENT", `Unknown method ${action}`));
      const stream = action === "streamGenerateContent";
      return await handleGenerate(conn, model!, stream, stream && url.searchParams.get("alt") === "sse", body, opts.slowMs);
    } catch (err) {
      if (err instanceof Invalid) return sendGoogleError(res, err.error);
      throw err;
    }
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      process.stderr.write(`fake-vertex: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) sendGoogleError(res, googleError(500, "INTERNAL", "fake upstream crashed"));
      else res.destroy();
    });
  });
}
