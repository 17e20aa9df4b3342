// One request/response pair of this edge: the CallContext the core fills
// (core/call-builder.ts: signal, request id, stats) and the x-request-id /
// x-hoosh-* headers every response carries.
import type { CallContext, CallStats } from "../../providers/provider.js";
import type { EdgeState, HttpRequest, HttpResponse } from "../handler.js";
import { beginRestCall, SseWriter, writeJson, writeText } from "../http-io.js";
import { toOpenAIError } from "./errors.js";

export class Exchange {
  readonly call: CallContext;
  readonly stats: CallStats;
  private readonly startedAt = performance.now();
  private readonly lifetime: { done(): void };

  constructor(
    readonly req: HttpRequest,
    readonly res: HttpResponse,
    requestTimeoutMs: number,
    state: EdgeState = {},
  ) {
    const started = beginRestCall(req, res, requestTimeoutMs, state.key);
    this.lifetime = { done: started.end };
    this.call = started.call;
    this.stats = started.call.stats!;
  }

  /** Headers for a response sent now: hoosh's overhead is the time so far not spent waiting on upstreams. */
  headers(): Record<string, string> {
    const overhead = Math.max(0, performance.now() - this.startedAt - this.stats.upstreamMs);
    return {
      "x-request-id": this.call.requestId,
      "x-hoosh-provider": this.stats.provider,
      "x-hoosh-cache": this.stats.cacheHit ? "hit" : "miss",
      "x-hoosh-attempts": String(this.stats.attempts),
      "x-hoosh-overhead-ms": String(Math.round(overhead * 10) / 10),
    };
  }

  json(status: number, body: unknown): void {
    writeJson(this.res, status, body, this.headers());
    this.lifetime.done();
  }

  text(status: number, body: string, contentType: string): void {
    writeText(this.res, status, body, contentType, this.headers());
    this.lifetime.done();
  }

  /** Answers with OpenAI's error JSON, unless a response has already started. */
  fail(err: unknown): void {
    const mapped = toOpenAIError(err);
    if (this.res.headersSent) return;
    writeText(this.res, mapped.status, JSON.stringify(mapped.body), "application/json", { ...this.headers(), ...mapped.headers });
    this.lifetime.done();
  }

  /** Starts an event stream; its x-hoosh-overhead-ms is the time-to-first-byte overhead. */
  openSse(): SseWriter {
    const sse = new SseWriter(this.res);
    sse.open(this.headers());
    return sse;
  }

  /** The stream ended (normally, by error or because the client left). */
  finish(): void {
    this.lifetime.done();
  }
}
