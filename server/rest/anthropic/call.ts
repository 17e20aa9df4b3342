// One HTTP request as a core call: the CallContext (one AbortSignal for
// disconnect and the server's timeout, request id, forwarded trace headers,
// stats) and the response headers that report it.
import type { CallContext } from "../../providers/provider.js";
import { requestIdOf } from "../../core/request-id.js";
import type { EdgeState, HttpRequest, HttpResponse } from "../handler.js";
import { beginRestCall, headerOf } from "../http-io.js";
import { anthropicId } from "./response.js";

export interface EdgeCall {
  call: CallContext;
  /** request-id and x-request-id, for every answer (errors too). */
  idHeaders: Record<string, string>;
  /** idHeaders plus x-hoosh-* from the call's stats, as they are now. */
  headers(ignored?: string[]): Record<string, string>;
  /** Stops the request timer once the answer is written. */
  done(): void;
}

const newId = () => anthropicId("req");

/** hoosh.v1 field paths as this edge's request names them. */
function anthropicName(field: string): string {
  if (field.startsWith("sampling.")) return field.slice("sampling.".length);
  if (field === "reasoning") return "thinking";
  if (field === "user") return "metadata.user_id";
  if (field === "cache_breakpoint") return "cache_control";
  return field;
}

/** request-id and x-request-id: the caller's x-request-id when valid (core/request-id.ts), else a new req_… id. */
export function idHeaders(req: HttpRequest): Record<string, string> {
  const requestId = requestIdOf(headerOf(req, "x-request-id"), newId);
  return { "request-id": requestId, "x-request-id": requestId };
}

export function edgeCall(req: HttpRequest, res: HttpResponse, timeoutMs: number, state: EdgeState = {}): EdgeCall {
  const startedAt = performance.now();
  const { call, end } = beginRestCall(req, res, timeoutMs, state.key, newId);
  const ids = { "request-id": call.requestId, "x-request-id": call.requestId };
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
      // The edge's own notes, then what the serving provider could not honour, in Anthropic's names.
      const all = [...ignored];
      for (const f of stats.ignored ?? []) {
        const name = anthropicName(f);
        if (!all.includes(name)) all.push(name);
      }
      if (all.length > 0) out["x-hoosh-ignored-params"] = all.join(", ");
      return out;
    },
    done: end,
  };
}
