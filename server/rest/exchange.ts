// One request/response pair of a REST edge (OpenAI chat/embeddings/models/audio, the Responses
// API, Anthropic Messages): the CallContext the core fills (core/call-builder.ts: signal, request
// id, stats), the headers every answer carries (x-request-id, x-hoosh-*, x-hoosh-ignored-params)
// and the one error exit, through the edge's pure renderer (ConnectError -> its vendor's JSON).
import type { CallContext, CallStats } from "../providers/provider.js";
import type { EdgeState, HttpRequest, HttpResponse } from "./handler.js";
import { beginRestCall, SseWriter, writeJson, writeText } from "./http-io.js";

export interface RenderedError<Body = unknown> {
  status: number;
  headers: Record<string, string>;
  body: Body;
}

/** What makes an edge's answers its vendor's. */
export interface EdgeDialect {
  /** Any error as the vendor's status, headers and JSON; `names` turns hoosh.v1 field paths into the request's own. */
  render(err: unknown, names: (field: string) => string): RenderedError;
  /** hoosh.v1 field path -> the name the client used (for errors and x-hoosh-ignored-params). */
  fieldName(field: string): string;
  /** A new request id when the client sent none (Anthropic: req_…); default a UUID. */
  newRequestId?: () => string;
  /** Headers carrying the request id besides x-request-id (Anthropic: request-id). */
  idHeaders?(requestId: string): Record<string, string>;
}

export const IGNORED_HEADER = "x-hoosh-ignored-params";

export class Exchange {
  readonly call: CallContext;
  readonly stats: CallStats;
  private readonly startedAt = performance.now();
  private readonly end: () => void;
  /** Fields of the request hoosh did not use, in the client's names (unknown keys, edge-level choices). */
  private readonly ignored: string[] = [];
  /** Per request: hoosh.v1 paths -> the client's names (the Responses API maps messages back to input items). */
  names: (field: string) => string;

  constructor(
    readonly req: HttpRequest,
    readonly res: HttpResponse,
    requestTimeoutMs: number,
    state: EdgeState,
    readonly dialect: EdgeDialect,
  ) {
    const started = beginRestCall(req, res, requestTimeoutMs, state.key, dialect.newRequestId);
    this.end = started.end;
    this.call = started.call;
    this.stats = started.call.stats!;
    this.names = dialect.fieldName;
  }

  /** Notes request fields hoosh will not honour (client names). */
  ignore(fields: readonly string[]): void {
    for (const f of fields) if (!this.ignored.includes(f)) this.ignored.push(f);
  }

  /** Everything not honoured: the edge's own notes and what the serving provider reported. */
  ignoredParams(): string[] {
    const out = [...this.ignored];
    for (const f of this.stats.ignored ?? []) {
      const name = this.names(f);
      if (!out.includes(name)) out.push(name);
    }
    return out;
  }

  /** Headers for a response sent now: hoosh's overhead is the time so far not spent waiting on upstreams. */
  headers(): Record<string, string> {
    const overhead = Math.max(0, performance.now() - this.startedAt - this.stats.upstreamMs);
    const out: Record<string, string> = {
      ...this.dialect.idHeaders?.(this.call.requestId),
      "x-request-id": this.call.requestId,
      "x-hoosh-provider": this.stats.provider,
      "x-hoosh-cache": this.stats.cacheHit ? "hit" : "miss",
      "x-hoosh-attempts": String(this.stats.attempts),
      "x-hoosh-overhead-ms": (Math.round(overhead * 10) / 10).toFixed(1),
    };
    const ignored = this.ignoredParams();
    if (ignored.length > 0) out[IGNORED_HEADER] = ignored.join(", ");
    return out;
  }

  json(status: number, body: unknown): void {
    writeJson(this.res, status, body, this.headers());
    this.end();
  }

  text(status: number, body: string, contentType: string): void {
    writeText(this.res, status, body, contentType, this.headers());
    this.end();
  }

  /** The edge's error JSON for `err` (for an SSE error event). */
  render(err: unknown): RenderedError {
    return this.dialect.render(err, this.names);
  }

  /** Answers with the edge's error JSON, unless a response has already started. */
  fail(err: unknown): void {
    if (this.res.headersSent) return;
    const e = this.render(err);
    writeText(this.res, e.status, JSON.stringify(e.body), "application/json", { ...this.headers(), ...e.headers });
    this.end();
  }

  /** Starts an event stream; its x-hoosh-overhead-ms is the time-to-first-byte overhead. */
  openSse(): SseWriter {
    const sse = new SseWriter(this.res);
    sse.open(this.headers());
    return sse;
  }

  /** The answer ended (normally, by error or because the client left). */
  finish(): void {
    this.end();
  }
}
