// One HTTP request as a core call: the CallContext (one AbortSignal for
// disconnect and the server's timeout, request id, forwarded trace headers,
// stats) and the response headers that report it.
import { restKey } from "../../auth/rest.js";
import type { CallContext } from "../../providers/provider.js";
import { requestIdOf } from "../../core/request-id.js";
import type { HttpRequest, HttpResponse } from "../handler.js";
import { requestSignal } from "../http-io.js";
import { anthropicId } from "./response.js";

const FORWARDED = ["traceparent", "tracestate"];

export interface EdgeCall {
  call: CallContext;
  /** request-id and x-request-id, for every answer (errors too). */
  idHeaders: Record<string, string>;
  /** idHeaders plus x-hoosh-* from the call's stats, as they are now. */
  headers(ignored?: string[]): Record<string, string>;
  /** Stops the request timer once the answer is written. */
  done(): void;
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** request-id and x-request-id: the caller's x-request-id when valid (core/request-id.ts), else a new req_… id. */
export function idHeaders(req: HttpRequest): Record<string, string> {
  const requestId = requestIdOf(header(req, "x-request-id"), () => anthropicId("req"));
  return { "request-id": requestId, "x-request-id": requestId };
}

export function edgeCall(req: HttpRequest, res: HttpResponse, timeoutMs: number): EdgeCall {
  const startedAt = performance.now();
  const ids = idHeaders(req);
  const requestId = ids["request-id"]!;
  const forwardHeaders: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = header(req, name);
    if (value) forwardHeaders[name] = value;
  }
  const { signal, done } = requestSignal(res, timeoutMs);
  const call: CallContext = { signal, requestId, forwardHeaders, stats: { provider: "", attempts: 0, upstreamMs: 0 } };
  const key = restKey(req);
  if (key) call.key = key;
  const budgetPool = header(req, "x-hoosh-budget-pool");
  if (budgetPool) call.budgetPool = budgetPool;
  return {
    call,
    idHeaders: ids,
    headers(ignored = []) {
      const stats = call.stats!;
      const overhead = Math.max(0, performance.now() - startedAt - stats.upstreamMs);
      const out: Record<string, string> = {
        ...ids,
        "x-hoosh-provider": stats.provider,
        "x-hoosh-cache": stats.cacheHit ? "hit" : "miss",
        "x-hoosh-attempts": String(stats.attempts),
        "x-hoosh-overhead-ms": overhead.toFixed(1),
      };
      if (ignored.length > 0) out["x-hoosh-ignored-params"] = ignored.join(", ");
      return out;
    },
    done,
  };
}
