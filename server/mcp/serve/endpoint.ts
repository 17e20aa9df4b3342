// hoosh's own MCP endpoint ([mcp] path, default /mcp), Streamable HTTP: every
// request passes the DNS rebinding check and the API key check (scope "tools";
// a POST counts against the key's rpm), then goes to its session. initialize
// opens a session bound to the key that sent it; later requests must carry the
// session id and the same key. A request without a session that declares
// protocol 2026-07-28 (no handshake, no sessions) is served statelessly.
import { Code, ConnectError } from "@connectrpc/connect";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { headerGetter, type Auth } from "../../auth/authorize.js";
import type { HttpRequest, HttpResponse, RestHandler } from "../../rest/handler.js";
import { discardBody, readBody } from "../../rest/http-io.js";
import { httpStatusOf } from "../../rest/http-status.js";
import { ALLOW_ALL } from "../allowlist.js";
import type { HostCheck } from "../../host-check.js";
import { McpSession, type SessionDeps, type SessionKey } from "./session.js";
import type { SessionStore } from "./sessions.js";
import { writeRpcError } from "./rpc-error.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

export interface EndpointOptions {
  path: string;
  hostCheck: HostCheck;
  auth: Auth;
  sessions: SessionStore;
  deps: SessionDeps;
  serverInfo: { name: string; version: string };
  maxBodyBytes: number;
  /** Serves a session-less request of a stateless protocol revision; false when it is not one. */
  stateless?: (req: HttpRequest, res: HttpResponse, body: unknown, key: SessionKey) => Promise<boolean>;
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function writeAuthError(res: HttpResponse, err: unknown): void {
  const e = ConnectError.from(err);
  const headers: Record<string, string> = {};
  if (e.code === Code.Unauthenticated) headers["www-authenticate"] = 'Bearer realm="hoosh"';
  const retry = e.metadata.get("retry-after");
  if (retry) headers["retry-after"] = retry;
  writeRpcError(res, httpStatusOf(e), -32001, e.rawMessage, headers);
}

export function mcpEndpoint(o: EndpointOptions): RestHandler {
  return async (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    if ((q < 0 ? url : url.slice(0, q)) !== o.path) return false;
    const refused = o.hostCheck(header(req, "host") ?? header(req, ":authority"), header(req, "origin"));
    if (refused) {
      discardBody(req);
      writeRpcError(res, 403, -32000, `Forbidden: ${refused}`);
      return true;
    }
    let key: SessionKey;
    try {
      const k = o.auth.authenticate(headerGetter(req.headers));
      o.auth.authorize(k, "tools");
      if (req.method === "POST") await o.auth.admit(k);
      key = k ? { id: k.id, allowed: k.allowsTool } : { allowed: ALLOW_ALL };
    } catch (err) {
      discardBody(req);
      writeAuthError(res, err);
      return true;
    }
    if (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE") {
      discardBody(req);
      writeRpcError(res, 405, -32000, `Method not allowed: ${req.method ?? ""}; use POST, GET or DELETE`, { allow: "POST, GET, DELETE" });
      return true;
    }
    let body: unknown;
    if (req.method === "POST") {
      const parsed = await readMessage(req, res, o.maxBodyBytes);
      if (!parsed.ok) return true;
      body = parsed.body;
    }
    const sessionId = header(req, "mcp-session-id");
    if (sessionId !== undefined) {
      const session = o.sessions.get(sessionId);
      // A session opened with another key (or none) does not exist for this one.
      if (!session || session.keyId !== key.id) {
        writeRpcError(res, 404, -32001, "Session not found");
        return true;
      }
      await serve(session, key, o, req, res, body);
      return true;
    }
    // A stateless (2026-07-28) request first: its "initialize" is a removed method, not a handshake.
    if (req.method === "POST" && o.stateless && (await o.stateless(req, res, body, key))) return true;
    if (req.method === "POST" && isInitializeRequest(body)) {
      if (!o.sessions.makeRoom()) {
        writeRpcError(res, 503, -32000, "hoosh has [mcp] max_sessions sessions open, all in use; retry later", { "retry-after": "5" });
        return true;
      }
      const session = new McpSession(key, o.deps, {
        serverInfo: o.serverInfo,
        onInitialized: (s) => o.sessions.add(s),
        onClosed: (s) => o.sessions.close(s),
      });
      await session.server.connect(session.transport);
      await serve(session, key, o, req, res, body);
      return true;
    }
    writeRpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
    return true;
  };
}

async function serve(session: McpSession, key: SessionKey, o: EndpointOptions, req: HttpRequest, res: HttpResponse, body: unknown): Promise<void> {
  session.key = key;
  session.deps = o.deps;
  session.open++;
  session.lastUsed = Date.now();
  res.once("close", () => {
    session.open--;
    session.lastUsed = Date.now();
  });
  await session.transport.handle(req, res, body);
}

/** The POST body as JSON; answers the error itself (413, 400 parse error) and returns ok: false. */
async function readMessage(req: HttpRequest, res: HttpResponse, maxBytes: number): Promise<{ ok: true; body: unknown } | { ok: false }> {
  let bytes: Buffer;
  try {
    bytes = await readBody(req, maxBytes);
  } catch (err) {
    const e = ConnectError.from(err);
    if (e.code === Code.Canceled) res.destroy();
    else writeRpcError(res, httpStatusOf(e), -32600, e.rawMessage);
    return { ok: false };
  }
  let text: string;
  try {
    // Strict UTF-8: invalid bytes are the caller's error (400), never silently replaced.
    text = UTF8.decode(bytes);
  } catch {
    writeRpcError(res, 400, -32700, "Parse error: the body is not valid UTF-8; send JSON encoded as UTF-8");
    return { ok: false };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (err) {
    writeRpcError(res, 400, -32700, `Parse error: the body is not JSON (${(err as Error).message})`);
    return { ok: false };
  }
}
