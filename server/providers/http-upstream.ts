// What every HTTP provider adapter shares: the pooled request with the
// caller's AbortSignal, the vendor's error mapping, bounded error bodies,
// JSON reading, and streaming bodies that are dropped when the caller leaves.
import { redactSecrets, secretsOf } from "./redact.js";
import type { IncomingHttpHeaders } from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";
// undici's own FormData: Node 20's global one is a different class that undici 7 cannot encode.
import { FormData, Response, type Dispatcher } from "undici";
import type { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import type { GenerateResponse, GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { transportError } from "./http-errors.js";
import type { CallContext } from "./provider.js";
import { streamEvent as ev } from "./stream-event.js";
import type { Transport, TransportLimits, UpstreamNetwork } from "./transport.js";

/** Options every HTTP adapter is built from (one [[providers]] entry). */
export interface HttpProviderOptions {
  name: string;
  baseUrl: string;
  apiKey?: string;
  /** Extra headers from config (secrets). */
  headers: Record<string, string>;
  limits: TransportLimits;
  /** Loopback/LAN servers count as local. */
  locality: Locality;
  /** max_tokens to send when the request sets none and the vendor requires one (Anthropic). */
  defaultMaxTokens?: number;
  /** Vendor API version header where the vendor has one (anthropic-version). */
  apiVersion?: string;
  /** Upstream TLS and proxy of this provider (absent: direct, Node's trusted CAs). */
  network?: UpstreamNetwork;
}

/** The request as it will be sent, for credentials that depend on it (bearer tokens, SigV4 signatures). */
export interface OutgoingRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Headers that authenticate one request; errors it throws are the caller's answer. */
export type Authorizer = (req: OutgoingRequest, call: CallContext) => Promise<Record<string, string>>;

/** What an adapter may add to the plain request: network settings and per-request credentials. */
export interface UpstreamExtras {
  network?: UpstreamNetwork;
  authorize?: Authorizer;
}

/** Turns an upstream HTTP error (status, body text, Retry-After; all headers for vendors that need them) into a ConnectError. */
export type ErrorMapper = (provider: string, status: number, body: string, retryAfter?: string, headers?: IncomingHttpHeaders) => ConnectError;

const MAX_ERROR_BODY = 64 * 1024;

export class HttpUpstream {
  private readonly base: string;

  constructor(
    readonly name: string,
    baseUrl: string,
    /** Auth and config headers sent on every request. */
    private readonly staticHeaders: Record<string, string>,
    private readonly limits: TransportLimits,
    private readonly transport: Transport,
    private readonly mapError: ErrorMapper,
    private readonly extras: UpstreamExtras = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, "");
  }

  /** One request; 4xx/5xx become the vendor-mapped ConnectError. `path` may carry a query string. */
  async send(
    method: "GET" | "POST",
    path: string,
    body: object | FormData | undefined,
    call: CallContext,
    accept = "application/json",
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { "user-agent": "hoosh/0.1", ...this.staticHeaders, ...call.forwardHeaders, "x-request-id": call.requestId, accept };
    const payload = body instanceof FormData ? await encodeForm(body) : body ? { type: "application/json", bytes: JSON.stringify(body) } : undefined;
    if (payload) headers["content-type"] = payload.type;
    const url = new URL(this.base + path);
    let res: Dispatcher.ResponseData;
    try {
      if (this.extras.authorize) Object.assign(headers, await this.extras.authorize({ method, url, headers, body: payload?.bytes }, call));
      res = await this.transport.request({ url, method, headers, body: payload?.bytes, signal: call.signal }, this.limits, this.extras.network);
    } catch (err) {
      throw transportError(this.name, err, call.signal);
    }
    if (res.statusCode >= 400) {
      // The body may echo the credentials just sent: never relay them (redact.ts).
      const text = redactSecrets(await readBounded(res.body, MAX_ERROR_BODY).catch(() => ""), secretsOf(headers));
      const retryAfter = res.headers["retry-after"];
      throw this.mapError(this.name, res.statusCode, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, res.headers);
    }
    return res;
  }

  async readJson<T>(res: Dispatcher.ResponseData, call: CallContext): Promise<T> {
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw transportError(this.name, err, call.signal);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ConnectError(`provider "${this.name}" answered with invalid JSON: ${text.slice(0, 120)}`, Code.Internal);
    }
  }

  /**
   * Relays a streaming body through a vendor parser. Socket errors and
   * timeouts are mapped; leaving early (cancel, error) drops the upstream
   * connection at once.
   */
  async *relay<T>(res: Dispatcher.ResponseData, call: CallContext, events: (body: AsyncIterable<Uint8Array>) => AsyncIterable<T>): AsyncGenerator<T> {
    try {
      yield* events(res.body);
    } catch (err) {
      throw transportError(this.name, err, call.signal);
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  }
}

export function contentType(res: Dispatcher.ResponseData): string {
  return String(res.headers["content-type"] ?? "");
}

/** Multipart bytes and boundary from undici's own encoder (the transport takes bytes). */
async function encodeForm(form: FormData): Promise<{ type: string; bytes: Buffer }> {
  const encoded = new Response(form);
  return { type: encoded.headers.get("content-type") ?? "multipart/form-data", bytes: Buffer.from(await encoded.arrayBuffer()) };
}

async function readBounded(body: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= max) break;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, max);
}

