// MCP 2026-07-28 on /mcp: no initialize handshake and no sessions. Every
// request carries _meta with the protocol version and the client's
// capabilities, and the MCP-Protocol-Version header must agree with it. hoosh
// answers server/discover and the same methods a session answers (methods.ts),
// one JSON response per request (server-sent events when a tools/call asks for
// progress). Not served in this revision (answered
// "method not found"): subscriptions/listen, and a server's own requests to the
// caller during a call (sampling, elicitation: 2026-07-28 carries them as
// input-required results, which the upstream SDK hoosh uses does not speak).
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { HttpRequest, HttpResponse } from "../../rest/handler.js";
import { SseWriter, writeJson } from "../../rest/http-io.js";
import type { Progress, ToolCalls } from "../calls.js";
import type { Caller } from "../relay.js";
import { toMcpError } from "./errors.js";
import { McpMethods, type Who } from "./methods.js";

export const STATELESS_VERSION = "2026-07-28";
const META = "io.modelcontextprotocol/";
const HEADER_MISMATCH = -32020;
const MISSING_CLIENT_CAPABILITY = -32021;
const UNSUPPORTED_VERSION = -32022;

type Json = Record<string, unknown>;

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function metaOf(body: unknown): Json | undefined {
  const params = (body as { params?: unknown } | undefined)?.params;
  const meta = typeof params === "object" && params !== null ? (params as { _meta?: unknown })._meta : undefined;
  return typeof meta === "object" && meta !== null ? (meta as Json) : undefined;
}

/** True for a session-less request that speaks the stateless revision (by header or _meta). */
export function isStateless(req: HttpRequest, body: unknown): boolean {
  return header(req, "mcp-protocol-version") === STATELESS_VERSION || metaOf(body)?.[`${META}protocolVersion`] !== undefined;
}

export function statelessHandler(calls: () => ToolCalls, serverInfo: { name: string; version: string }) {
  return async (req: HttpRequest, res: HttpResponse, body: unknown, who: Who): Promise<boolean> => {
    if (!isStateless(req, body)) return false;
    const reply = (status: number, id: unknown, payload: { result: unknown } | { error: { code: number; message: string; data?: unknown } }) =>
      writeJson(res, status, { jsonrpc: "2.0", id: id ?? null, ...payload });
    if (typeof body !== "object" || body === null || Array.isArray(body) || typeof (body as Json).method !== "string") {
      reply(400, null, { error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: send one JSON-RPC request object (batches are not part of 2026-07-28)" } });
      return true;
    }
    const { id, method } = body as { id?: unknown; method: string };
    if (id === undefined) {
      res.writeHead(202);
      res.end(); // a notification: nothing to answer
      return true;
    }
    const meta = metaOf(body);
    const version = meta?.[`${META}protocolVersion`];
    const missing = !meta ? "_meta" : version === undefined ? `_meta["${META}protocolVersion"]` : meta[`${META}clientCapabilities`] === undefined ? `_meta["${META}clientCapabilities"]` : undefined;
    if (missing) {
      reply(400, id, { error: { code: ErrorCode.InvalidParams, message: `Invalid params: ${missing} is required in protocol ${STATELESS_VERSION}` } });
      return true;
    }
    if (version !== STATELESS_VERSION) {
      reply(400, id, { error: { code: UNSUPPORTED_VERSION, message: `Unsupported protocol version: ${String(version)}`, data: { supported: [STATELESS_VERSION], requested: version } } });
      return true;
    }
    const sent = header(req, "mcp-protocol-version");
    if (sent !== version) {
      reply(400, id, { error: { code: HEADER_MISMATCH, message: `Header mismatch: MCP-Protocol-Version ${sent === undefined ? "is missing" : JSON.stringify(sent)} but _meta says ${JSON.stringify(version)}` } });
      return true;
    }
    const capabilities = meta![`${META}clientCapabilities`] as Json;
    const abort = new AbortController();
    res.once("close", () => abort.abort());
    // A tools/call that asks for progress, from a client that takes a stream, is answered as
    // server-sent events: the progress notifications, then the response.
    const token = meta!.progressToken as string | number | undefined;
    const sse = method === "tools/call" && token !== undefined && String(req.headers.accept ?? "").includes("text/event-stream") ? new SseWriter(res) : undefined;
    sse?.open();
    const onProgress = sse && ((p: object) => void sse.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: token, ...p } }), "message"));
    let answer: Json;
    let status = 200;
    try {
      const result = await dispatch(new McpMethods(calls(), who), method, (body as { params: Json }).params, abort.signal, capabilities, serverInfo, String(id), onProgress);
      answer = { jsonrpc: "2.0", id, result };
    } catch (err) {
      const e = toMcpError(err);
      status = e.code === ErrorCode.MethodNotFound ? 404 : e.code === MISSING_CLIENT_CAPABILITY ? 400 : 200;
      answer = { jsonrpc: "2.0", id, error: { code: e.code, message: e.message.replace(/^MCP error -?\d+: /, ""), ...(e.data === undefined ? {} : { data: e.data }) } };
    }
    if (sse) {
      await sse.send(JSON.stringify(answer), "message");
      sse.end();
    } else writeJson(res, status, answer);
    return true;
  };
}

/** A caller that cannot be asked anything in this revision: the tool sees why. */
function statelessCaller(capabilities: Json): Caller {
  return {
    request: (method) => {
      const needed = method.split("/")[0]!;
      if (capabilities[needed] === undefined) {
        return Promise.reject(new McpError(MISSING_CLIENT_CAPABILITY, `the client did not declare the ${needed} capability`, { requiredCapabilities: { [needed]: {} } }));
      }
      return Promise.reject(new McpError(ErrorCode.MethodNotFound, `hoosh does not relay ${method} to ${STATELESS_VERSION} clients`));
    },
    notify: () => undefined,
  };
}

/** The caller's _meta without this revision's own keys (the server speaks an older revision). */
function ownMeta(meta: Json): Json {
  return Object.fromEntries(Object.entries(meta).filter(([k]) => !k.startsWith(META)));
}

async function dispatch(
  m: McpMethods,
  method: string,
  params: Json,
  signal: AbortSignal,
  capabilities: Json,
  serverInfo: { name: string; version: string },
  requestId: string,
  onProgress?: (p: Progress) => void,
): Promise<unknown> {
  switch (method) {
    case "server/discover":
      return {
        supportedVersions: [STATELESS_VERSION],
        capabilities: { tools: { listChanged: true }, resources: {}, prompts: {}, completions: {} },
        _meta: { [`${META}serverInfo`]: serverInfo },
      };
    case "tools/list":
      return m.listTools();
    case "tools/call":
      return m.callTool(params, { edge: "mcp", requestId: `stateless/${requestId}`, signal, meta: ownMeta(params._meta as Json), caller: statelessCaller(capabilities), onProgress });
    case "prompts/list":
      return m.listPrompts();
    case "prompts/get":
      return m.getPrompt(params, signal);
    case "resources/list":
      return m.listResources();
    case "resources/templates/list":
      return m.listResourceTemplates();
    case "resources/read":
      return m.readResource(params, signal);
    case "completion/complete":
      return m.complete(params, signal);
    default:
      throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method} (not part of ${STATELESS_VERSION} on hoosh)`);
  }
}
