// The client side of MCP's Streamable HTTP transport, for hoosh's connections
// to [[mcp_servers]] with transport = "http": the SDK Client runs over it in
// place of the SDK's fetch-based transport, which costs several times more CPU
// per call (web streams, a listener per request on one long-lived signal).
// Each message is a POST (keep-alive connections through one undici Agent per
// server); an answer comes back as JSON or as server-sent events, parsed as
// they arrive. The standalone GET stream carries messages no request asked
// for (list changes, resource updates) and is reopened when it ends. A request
// stream the server ends before answering is resumed with Last-Event-ID
// (SEP-1699). A cancelled request's stream is closed. close() ends the session
// (DELETE) and every open request.
import type { Readable } from "node:stream";
import { createParser } from "eventsource-parser";
import { Agent, request } from "undici";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { Relay } from "../relay.js";

const GET_RETRY_MS = 1_000;
const GET_RETRY_MAX_MS = 30_000;
const DELETE_TIMEOUT_MS = 1_000;

type Message = JSONRPCMessage & { id?: RequestId; method?: string; params?: Record<string, unknown> };

export class HttpClientTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  sessionId?: string;
  private protocolVersion?: string;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  private readonly open = new Map<RequestId, AbortController>();
  private readonly stop = new AbortController();
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    /** Tags a server's messages with the request whose stream carried them (relay.ts). */
    private readonly relay?: Relay,
  ) {}

  async start(): Promise<void> {}

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const m = message as Message;
    // notifications/cancelled also ends the response stream of the request it cancels.
    if (m.method === "notifications/cancelled") this.open.get(m.params?.requestId as RequestId)?.abort();
    const id = m.method !== undefined && m.id !== undefined ? m.id : undefined;
    const abort = new AbortController();
    if (id !== undefined) {
      this.open.set(id, abort);
      this.relay?.open(id);
    }
    try {
      const res = await request(this.url, {
        method: "POST",
        headers: { ...this.common(), "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify(message),
        dispatcher: this.agent,
        signal: abort.signal,
      });
      const sid = res.headers["mcp-session-id"];
      if (typeof sid === "string") this.sessionId = sid;
      if (res.statusCode >= 400) {
        const text = await res.body.text().catch(() => "");
        throw new StreamableHTTPError(res.statusCode, `Error POSTing to endpoint: ${text.slice(0, 500)}`);
      }
      if (id === undefined) {
        await res.body.dump();
        if (m.method === "notifications/initialized" && res.statusCode === 202) void this.listen();
        return;
      }
      const type = String(res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type === "application/json") {
        const data = (await res.body.json()) as Message | Message[];
        for (const msg of Array.isArray(data) ? data : [data]) this.onmessage?.(msg);
      } else if (type === "text/event-stream") {
        await this.readStream(res.body, id);
      } else {
        await res.body.dump();
        throw new StreamableHTTPError(-1, `Unexpected content type: ${type || "(none)"}`);
      }
    } catch (err) {
      if (abort.signal.aborted || this.closed) return; // cancelled or closing: nobody waits for this answer
      this.onerror?.(err as Error);
      throw err;
    } finally {
      if (id !== undefined) {
        this.open.delete(id);
        this.relay?.close(id);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.open.values()) a.abort();
    this.stop.abort();
    if (this.sessionId) {
      // Tell the server it may forget the session (best effort, briefly).
      await request(this.url, { method: "DELETE", headers: this.common(), dispatcher: this.agent, signal: AbortSignal.timeout(DELETE_TIMEOUT_MS) })
        .then((r) => r.body.dump())
        .catch(() => undefined);
    }
    await this.agent.close().catch(() => undefined);
    this.onclose?.();
  }

  private common(): Record<string, string> {
    const h: Record<string, string> = { ...this.headers };
    if (this.sessionId) h["mcp-session-id"] = this.sessionId;
    if (this.protocolVersion) h["mcp-protocol-version"] = this.protocolVersion;
    return h;
  }

  /**
   * Passes each event's message on. For a request's stream (`id`): returns once the answer came;
   * a stream that ends before it is resumed with GET + Last-Event-ID after the server's retry delay.
   */
  private async readStream(body: Readable, id?: RequestId): Promise<void> {
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    let answered = false;
    const parser = createParser({
      onEvent: (e) => {
        if (e.id) lastEventId = e.id;
        if (!e.data || (e.event !== undefined && e.event !== "message")) return;
        let msg: Message;
        try {
          msg = JSON.parse(e.data) as Message;
        } catch (err) {
          this.onerror?.(new Error(`the server sent an event that is not JSON: ${(err as Error).message}`));
          return;
        }
        if (id !== undefined && msg.method === undefined && msg.id === id) answered = true;
        if (id !== undefined) this.relay?.tag(msg, id);
        this.onmessage?.(msg);
      },
      onRetry: (ms) => (retryMs = ms),
    });
    const decoder = new TextDecoder();
    for await (const chunk of body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
    if (id === undefined || answered || this.closed || lastEventId === undefined || !this.open.has(id)) return;
    await new Promise((resolve) => setTimeout(resolve, retryMs ?? GET_RETRY_MS));
    const resumed = await request(this.url, {
      method: "GET",
      headers: { ...this.common(), accept: "text/event-stream", "last-event-id": lastEventId },
      dispatcher: this.agent,
      signal: this.open.get(id)?.signal,
    });
    if (resumed.statusCode >= 400) {
      await resumed.body.dump();
      throw new StreamableHTTPError(resumed.statusCode, "the server did not resume the stream of a request it had not answered");
    }
    await this.readStream(resumed.body, id);
  }

  /** The standalone GET stream, reopened (with backoff) whenever it ends, until close(). */
  private async listen(): Promise<void> {
    let delay = GET_RETRY_MS;
    while (!this.closed) {
      try {
        const res = await request(this.url, { method: "GET", headers: { ...this.common(), accept: "text/event-stream" }, dispatcher: this.agent, signal: this.stop.signal });
        if (res.statusCode === 405) {
          await res.body.dump();
          return; // the server offers no standalone stream
        }
        if (res.statusCode >= 400) {
          await res.body.dump();
          throw new StreamableHTTPError(res.statusCode, "the server refused the standalone event stream");
        }
        delay = GET_RETRY_MS;
        await this.readStream(res.body);
      } catch (err) {
        if (this.closed) return;
        this.onerror?.(err as Error);
        delay = Math.min(delay * 2, GET_RETRY_MAX_MS);
      }
      if (!this.closed) await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}
