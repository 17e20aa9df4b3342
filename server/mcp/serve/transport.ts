// The server side of MCP's Streamable HTTP transport for one /mcp session,
// written straight onto Node's request and response (the SDK's transport goes
// through web Request/Response objects and streams, several times the CPU per
// call). A POST's requests are answered on its response: as JSON when the
// answer is all there is to send (the common tools/call), as server-sent
// events once anything else goes first (progress, log messages, the server's
// own requests) or when the answer takes longer than a second (headers are
// sent then, and a comment every 15 s keeps the stream alive). The GET stream
// carries messages that belong to no request (list changes, resource updates).
import { randomUUID } from "node:crypto";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type MessageExtraInfo, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { HttpRequest, HttpResponse } from "../../rest/handler.js";
import { writeRpcError } from "./rpc-error.js";

const STREAM_AFTER_MS = 1_000;
const KEEP_ALIVE_MS = 15_000;

type Message = { jsonrpc?: unknown; id?: RequestId; method?: unknown; result?: unknown; error?: unknown };

/** One HTTP response that answers requests (a POST) or carries unrelated messages (the GET stream). */
class Reply {
  mode: "json" | "sse" | undefined;
  private keepAlive?: NodeJS.Timeout;
  private lazy?: NodeJS.Timeout;

  constructor(
    readonly res: HttpResponse,
    private readonly sessionId: string,
    /** Requests still waiting for an answer on this response (empty for the GET stream). */
    readonly pending: Set<RequestId>,
  ) {}

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  /** Starts the event stream now if nothing was sent within a second (long calls). */
  streamSoon(): void {
    this.lazy = setTimeout(() => this.mode === undefined && this.stream(), STREAM_AFTER_MS);
    this.lazy.unref();
  }

  stream(): void {
    if (this.mode !== undefined || !this.open) return;
    this.mode = "sse";
    this.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no", "mcp-session-id": this.sessionId });
    (this.res as { flushHeaders?: () => void }).flushHeaders?.();
    this.keepAlive = setInterval(() => this.open && this.res.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  /** Writes one message; `last` ends the response after it. */
  write(message: JSONRPCMessage, last: boolean): void {
    if (!this.open) return;
    const json = JSON.stringify(message);
    if (this.mode === undefined && last) {
      this.mode = "json";
      this.stop();
      this.res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(json)), "mcp-session-id": this.sessionId });
      this.res.end(json);
      return;
    }
    this.stream();
    this.res.write(`event: message\ndata: ${json}\n\n`);
    if (last) this.end();
  }

  end(): void {
    this.stop();
    if (this.open) this.res.end();
  }

  private stop(): void {
    clearTimeout(this.lazy);
    clearInterval(this.keepAlive);
  }
}

export interface SessionTransportOptions {
  onInitialized(): void;
  onClosed(): void;
}

export class SessionTransport implements Transport {
  readonly sessionId = randomUUID();
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private initialized = false;
  private closed = false;
  private readonly replies = new Map<RequestId, Reply>();
  private standalone?: Reply;

  constructor(private readonly options: SessionTransportOptions) {}

  async start(): Promise<void> {}

  /** Answers one HTTP request of this session (the body already parsed for a POST). */
  async handle(req: HttpRequest, res: HttpResponse, body: unknown): Promise<void> {
    if (this.closed) return writeRpcError(res, 404, -32001, "Session not found");
    const accept = String(req.headers.accept ?? "");
    if (req.method === "DELETE") {
      this.options.onClosed();
      res.writeHead(200);
      res.end();
      await this.close();
      return;
    }
    const version = req.headers["mcp-protocol-version"];
    if (typeof version === "string" && !SUPPORTED_PROTOCOL_VERSIONS.includes(version) && !isInitialize(body)) {
      return writeRpcError(res, 400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
    }
    if (req.method === "GET") {
      if (!accept.includes("text/event-stream")) return writeRpcError(res, 406, -32000, "Not Acceptable: Client must accept text/event-stream");
      if (this.standalone?.open) return writeRpcError(res, 409, -32000, "Conflict: Only one SSE stream is allowed per session");
      const stream = new Reply(res, this.sessionId, new Set());
      this.standalone = stream;
      stream.stream();
      res.once("close", () => stream.end());
      return;
    }
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
      return writeRpcError(res, 406, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream");
    }
    if (!String(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
      return writeRpcError(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    }
    const messages = (Array.isArray(body) ? body : [body]) as Message[];
    if (messages.length === 0 || !messages.every(isMessage)) return writeRpcError(res, 400, -32700, "Parse error: Invalid JSON-RPC message");
    if (messages.some(isInitialize)) {
      if (this.initialized) return writeRpcError(res, 400, -32600, "Invalid Request: Server already initialized");
      if (messages.length > 1) return writeRpcError(res, 400, -32600, "Invalid Request: Only one initialization request is allowed");
      this.initialized = true;
      this.options.onInitialized();
    } else if (!this.initialized) return writeRpcError(res, 400, -32000, "Bad Request: Server not initialized");
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers as Record<string, string> } };
    const requests = messages.filter((m) => typeof m.method === "string" && m.id !== undefined);
    if (requests.length === 0) {
      res.writeHead(202);
      res.end();
      for (const m of messages) this.onmessage?.(m as JSONRPCMessage, extra);
      return;
    }
    const reply = new Reply(res, this.sessionId, new Set(requests.map((m) => m.id!)));
    for (const id of reply.pending) this.replies.set(id, reply);
    res.once("close", () => {
      for (const id of reply.pending) if (this.replies.get(id) === reply) this.replies.delete(id);
      reply.end();
    });
    reply.streamSoon();
    for (const m of messages) this.onmessage?.(m as JSONRPCMessage, extra);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as Message;
    const isResponse = m.method === undefined && m.id !== undefined && ("result" in m || "error" in m);
    if (isResponse) {
      const reply = this.replies.get(m.id!);
      if (!reply) return; // the client went away; nobody to answer
      this.replies.delete(m.id!);
      reply.pending.delete(m.id!);
      reply.write(message, reply.pending.size === 0);
      return;
    }
    const related = options?.relatedRequestId;
    const target = related !== undefined ? this.replies.get(related) : this.standalone;
    target?.write(message, false);
  }

  /** Ends the GET stream (the client opens a new one, to whichever app generation serves it then). */
  closeStandaloneSSEStream(): void {
    this.standalone?.end();
    this.standalone = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const reply of new Set(this.replies.values())) reply.end();
    this.replies.clear();
    this.closeStandaloneSSEStream();
    this.onclose?.();
  }
}

function isMessage(m: unknown): m is Message {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return false;
  const x = m as Message;
  return x.jsonrpc === "2.0" && (typeof x.method === "string" || (x.id !== undefined && ("result" in x || "error" in x)));
}

function isInitialize(m: unknown): boolean {
  return typeof m === "object" && m !== null && (m as Message).method === "initialize";
}
