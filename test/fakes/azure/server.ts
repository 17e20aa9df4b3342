// Fake Azure OpenAI resource (data plane) with its Microsoft Entra token
// endpoint. It verifies what Azure verifies before the OpenAI-shaped work: the
// api-version query, the credential (api-key header, or a bearer token the
// Entra endpoint issued), and the deployment in the path. The work itself is
// the fake OpenAI's handlers, for the model the deployment stands for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleChat } from "../openai/chat.js";
import { handleEmbeddings } from "../openai/embeddings.js";
import { handleSpeech } from "../openai/speech.js";
import { EventLog } from "../openai/events.js";
import { readBytes, sendJson, type Conn } from "../openai/http.js";
import { contentText } from "../openai/reply.js";
import { handleTranscription, readUpload } from "../openai/transcriptions.js";
import { EntraIssuer, type EntraConfig } from "./entra.js";

export interface FakeAzureOptions {
  apiKey?: string;
  entra?: EntraConfig;
  slowMs: number;
}

/** Versions this fake resource serves (GA and a preview, as a real resource lists many). */
export const API_VERSIONS = new Set(["2024-06-01", "2024-10-21", "2025-01-01-preview"]);
/** Deployments of the fake resource and the models they run; "fake-*" deployments run the OpenAI fake's scripted models. */
export const DEPLOYMENTS: Record<string, string> = { "gpt4o-prod": "gpt-4o", "embed-prod": "text-embedding-3-small", "whisper-prod": "whisper-1", "tts-prod": "tts-1" };
const OPERATION = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings|audio\/transcriptions|audio\/speech)$/;
/** A prompt with this text trips the fake content filter. */
export const FILTER_TRIGGER = "azure-filter-me";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const azureError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => sendJson(res, status, { error: { code, message } }, headers);

function modelOf(deployment: string): string | undefined {
  return Object.hasOwn(DEPLOYMENTS, deployment) ? DEPLOYMENTS[deployment] : deployment.startsWith("fake-") ? deployment : undefined;
}

function lastUserText(body: Json): string {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
  return contentText(messages.filter((m) => m.role === "user").at(-1)?.content);
}

function contentFilterError(res: ServerResponse): void {
  const severity = (filtered: boolean, level: string) => ({ filtered, severity: level });
  sendJson(res, 400, {
    error: {
      message:
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
      type: null,
      param: "prompt",
      code: "content_filter",
      status: 400,
      innererror: {
        code: "ResponsibleAIPolicyViolation",
        content_filter_result: { hate: severity(false, "safe"), jailbreak: { filtered: false, detected: false }, self_harm: severity(false, "safe"), sexual: severity(false, "safe"), violence: severity(true, "high") },
      },
    },
  });
}

export function createFakeAzureServer(opts: FakeAzureOptions): Server {
  const events = new EventLog();
  const entra = opts.entra ? new EntraIssuer(opts.entra) : undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = url.pathname;
    if (method === "GET" && path === "/_fake/events") return sendJson(res, 200, events.list());
    if (method === "GET" && path === "/_fake/entra") return sendJson(res, 200, { issued: entra?.issued ?? 0 });
    if (method === "POST" && path === "/_fake/reset") {
      events.clear();
      return sendJson(res, 200, { ok: true });
    }
    const ac = new AbortController();
    const conn: Conn = { req, res, signal: ac.signal, chunks: 0 };
    const op = OPERATION.exec(path);
    const deployment = op ? decodeURIComponent(op[1]!) : null;
    res.on("close", () => {
      if (!res.writableFinished) events.push({ type: "client-closed", path, model: deployment, afterChunks: conn.chunks, at: Date.now() });
      ac.abort();
    });
    const bytes = await readBytes(req);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (method === "POST" && token) {
      if (!entra) return sendJson(res, 404, { error: "not_found" });
      return entra.handle(res, decodeURIComponent(token[1]!), String(req.headers["content-type"] ?? ""), bytes.toString("utf8"));
    }
    const upload = op?.[2] === "audio/transcriptions" ? await readUpload(String(req.headers["content-type"] ?? ""), bytes) : null;
    let body: unknown = upload?.record ?? null;
    if (!upload && bytes.length > 0) {
      try {
        body = JSON.parse(bytes.toString("utf8"));
      } catch {
        body = bytes.toString("utf8");
      }
    }
    events.push({
      type: "request",
      method,
      path: `${path}${url.search}`,
      model: deployment,
      stream: isObject(body) && body.stream === true,
      headers: {
        authorization: req.headers.authorization !== undefined || req.headers["api-key"] !== undefined,
        "user-agent": (req.headers["user-agent"] as string | undefined) ?? null,
        traceparent: (req.headers.traceparent as string | undefined) ?? null,
        "x-request-id": (req.headers["x-request-id"] as string | undefined) ?? null,
      },
      body,
    });

    const known = (method === "POST" && op !== null) || (method === "GET" && path === "/openai/models");
    if (!known) return azureError(res, 404, "404", "Resource not found");
    // Azure answers a missing or unknown version before it looks at anything else.
    const version = url.searchParams.get("api-version");
    if (version === null) return azureError(res, 404, "404", "Resource not found");
    if (!API_VERSIONS.has(version)) return azureError(res, 404, "404", `API version not supported: ${version}`);
    const keyOk = opts.apiKey !== undefined && req.headers["api-key"] === opts.apiKey;
    const tokenOk = entra?.valid(req.headers.authorization) ?? false;
    if (!keyOk && !tokenOk) {
      return azureError(res, 401, "401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.");
    }
    if (method === "GET") return sendJson(res, 200, { data: Object.values(DEPLOYMENTS).map((id) => ({ id, object: "model", status: "succeeded" })), object: "list" });

    const model = modelOf(deployment!);
    if (!model) return azureError(res, 404, "DeploymentNotFound", "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.");
    if (upload) return handleTranscription(conn, { ...upload, record: { ...upload.record, fields: { ...upload.record.fields, model } } }, opts.slowMs);
    if (!isObject(body)) return azureError(res, 400, "BadRequest", "Invalid JSON body");
    if (op![2] === "embeddings") return handleEmbeddings(conn, { ...body, model }, opts.slowMs);
    if (op![2] === "audio/speech") return handleSpeech(conn, { ...body, model });
    if (lastUserText(body).includes(FILTER_TRIGGER)) return contentFilterError(res);
    if (model === "fake-429") {
      return azureError(res, 429, "429", `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${version} have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after 7 seconds.`, { "retry-after": "7", "retry-after-ms": "7000" });
    }
    return handleChat(conn, { ...body, model }, opts.slowMs);
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      process.stderr.write(`fake-azure: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) azureError(res, 500, "InternalServerError", "fake upstream crashed");
      else res.destroy();
    });
  });
}
