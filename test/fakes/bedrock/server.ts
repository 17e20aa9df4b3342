// Fake Amazon Bedrock (runtime and control plane on one origin). Every request
// must carry a valid SigV4 signature for the configured key, region and
// service "bedrock": the fake recomputes it from the raw request (sigv4.ts)
// and answers AWS's own errors when it does not match. Then Converse,
// ConverseStream (binary event-stream frames), InvokeModel for Titan
// embeddings, and ListFoundationModels, with scripted faults by model id.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { embed } from "../openai/embeddings.js";
import { readBytes, sendJson, sleep, untilAborted, type Conn } from "../openai/http.js";
import { BedrockEventLog } from "./events.js";
import { eventFrame, exceptionFrame } from "./eventstream.js";
import { planConverse, type ConverseReply } from "./reply.js";
import { verifySigV4, type AwsKey } from "./sigv4.js";
import { isObject, validateConverse } from "./validate.js";

export interface FakeBedrockOptions {
  key: AwsKey;
  region: string;
}

type Json = Record<string, unknown>;
const OPERATION = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

export function sendAwsError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { message }, { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, ...headers });
}

/** Scripted faults, by model id. */
function scripted(res: ServerResponse, model: string): boolean {
  const faults: Record<string, [number, string, string]> = {
    "fake-throttle": [429, "ThrottlingException", "Too many requests, please wait before trying again."],
    "fake-denied": [403, "AccessDeniedException", "You don't have access to the model with the specified model ID."],
    "fake-404": [404, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier."],
    "fake-unavailable": [503, "ServiceUnavailableException", "Bedrock is unable to process your request."],
  };
  const fault = faults[model];
  if (!fault) return false;
  sendAwsError(res, fault[0], fault[1], fault[2]);
  return true;
}

function converseBody(reply: ConverseReply): Json {
  const content: Json[] = reply.text.length > 0 ? [{ text: reply.text.join("") }] : [];
  if (reply.toolUse) content.push({ toolUse: { toolUseId: reply.toolUse.toolUseId, name: reply.toolUse.name, input: reply.toolUse.input } });
  return { output: { message: { role: "assistant", content } }, stopReason: reply.stopReason, usage: reply.usage, metrics: { latencyMs: 42 } };
}

async function streamConverse(conn: Conn, reply: ConverseReply, model: string): Promise<void> {
  const { res, signal } = conn;
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": crypto.randomUUID() });
  const send = (type: string, body: unknown) => {
    res.write(eventFrame(type, body));
    conn.chunks++;
  };
  const delayMs = model === "fake-long-stream" ? 50 : 0;
  send("messageStart", { role: "assistant" });
  for (const piece of reply.text) {
    if (delayMs > 0 && !(await sleep(delayMs, signal))) return;
    if (signal.aborted) return;
    send("contentBlockDelta", { contentBlockIndex: 0, delta: { text: piece } });
    if (model === "fake-stream-throttle") {
      res.end(exceptionFrame("throttlingException", "Too many tokens, please wait before trying again."));
      return;
    }
  }
  if (reply.text.length > 0) send("contentBlockStop", { contentBlockIndex: 0 });
  const tool = reply.toolUse;
  if (tool) {
    const index = reply.text.length > 0 ? 1 : 0;
    send("contentBlockStart", { contentBlockIndex: index, start: { toolUse: { toolUseId: tool.toolUseId, name: tool.name } } });
    for (const piece of tool.pieces) send("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: piece } } });
    send("contentBlockStop", { contentBlockIndex: index });
  }
  send("messageStop", { stopReason: reply.stopReason });
  send("metadata", { usage: reply.usage, metrics: { latencyMs: 42 } });
  res.end();
}

export function createFakeBedrockServer(opts: FakeBedrockOptions): Server {
  const events = new BedrockEventLog();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = url.pathname;
    if (method === "GET" && path === "/_fake/events") return sendJson(res, 200, events.list());
    if (method === "POST" && path === "/_fake/reset") {
      events.clear();
      return sendJson(res, 200, { ok: true });
    }
    const op = OPERATION.exec(path);
    const model = op ? decodeURIComponent(op[1]!) : null;
    const ac = new AbortController();
    const conn: Conn = { req, res, signal: ac.signal, chunks: 0 };
    res.on("close", () => {
      if (!res.writableFinished) events.push({ type: "client-closed", at: Date.now(), path, model, afterChunks: conn.chunks });
      ac.abort();
    });
    res.setHeader("x-amzn-requestid", crypto.randomUUID());
    const bytes = await readBytes(req);
    const verdict = verifySigV4(req, bytes, opts.key, opts.region, "bedrock");
    let body: unknown = null;
    try {
      body = bytes.length > 0 ? JSON.parse(bytes.toString("utf8")) : null;
    } catch {
      body = bytes.toString("utf8");
    }
    events.push({ type: "request", at: Date.now(), method, path, model, operation: op?.[2] ?? null, signature: verdict.ok ? "ok" : verdict.type, body });

    const known = (method === "POST" && op !== null) || (method === "GET" && path === "/foundation-models");
    if (!known) return sendAwsError(res, 404, "UnknownOperationException", "Unknown operation");
    if (!verdict.ok) return sendAwsError(res, verdict.status, verdict.type, verdict.message);
    if (method === "GET") {
      const ids = ["anthropic.claude-3-5-haiku-20241022-v1:0", "meta.llama3-1-8b-instruct-v1:0", "mistral.mistral-large-2407-v1:0", "amazon.nova-lite-v1:0", "amazon.titan-embed-text-v2:0"];
      return sendJson(res, 200, { modelSummaries: ids.map((modelId) => ({ modelId, providerName: modelId.split(".")[0], responseStreamingSupported: !modelId.includes("embed") })) });
    }
    if (!isObject(body)) return sendAwsError(res, 400, "ValidationException", "Malformed input request, please reformat your input and try again.");
    if (scripted(res, model!)) return;
    if (op![2] === "invoke") {
      if (!model!.startsWith("amazon.titan-embed")) return sendAwsError(res, 400, "ValidationException", "The provided model identifier is invalid.");
      if (typeof body.inputText !== "string" || body.inputText === "") return sendAwsError(res, 400, "ValidationException", "Malformed input request: #/inputText: expected minLength: 1, please reformat your input and try again.");
      const dims = typeof body.dimensions === "number" ? body.dimensions : 1024;
      return sendJson(res, 200, { embedding: embed(body.inputText, dims), inputTextTokenCount: body.inputText.split(/\s+/).filter(Boolean).length });
    }
    const invalid = validateConverse(body);
    if (invalid) return sendAwsError(res, 400, "ValidationException", invalid);
    if (model === "fake-stall") return untilAborted(conn.signal);
    const reply = planConverse(body, { longStream: model === "fake-long-stream" });
    if (model === "fake-guardrail") Object.assign(reply, { text: ["Sorry, the model cannot answer this question."], toolUse: undefined, stopReason: "guardrail_intervened" });
    if (op![2] === "converse-stream") return streamConverse(conn, reply, model!);
    return sendJson(res, 200, converseBody(reply));
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      process.stderr.write(`fake-bedrock: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) sendAwsError(res, 500, "InternalServerException", "fake upstream crashed");
      else res.destroy();
    });
  });
}
