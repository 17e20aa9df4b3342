// Turns a Connect handler context into the provider call context: one
// AbortSignal for client cancel, disconnect, deadline and hoosh's own request
// timeout; a request id; headers to forward upstream.
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { identity } from "../auth/authorize.js";
import { keyOf } from "../auth/interceptor.js";
import type { CallContext } from "../providers/provider.js";
import { REQUEST_ID_HEADER, requestIdOf } from "../core/request-id.js";

const FORWARDED = ["traceparent", "tracestate"];

export function callContext(ctx: HandlerContext, requestTimeoutMs: number): CallContext {
  const timeout = AbortSignal.timeout(requestTimeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const requestId = requestIdOf(ctx.requestHeader.get(REQUEST_ID_HEADER));
  ctx.responseHeader.set("x-request-id", requestId);
  const forwardHeaders: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = ctx.requestHeader.get(name);
    if (value) forwardHeaders[name] = value;
  }
  const key = keyOf(ctx);
  const call: CallContext = { signal: withDeadlineReason(signal, timeout, requestTimeoutMs), requestId, forwardHeaders };
  if (key) call.key = identity(key);
  const budgetPool = ctx.requestHeader.get("x-hoosh-budget-pool");
  if (budgetPool) call.budgetPool = budgetPool;
  return call;
}

/** Gives hoosh's own timeout a DeadlineExceeded reason instead of a DOMException. */
function withDeadlineReason(signal: AbortSignal, timeout: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController();
  const forward = () =>
    controller.abort(signal.reason === timeout.reason ? new ConnectError(`request exceeded the server's ${ms} ms timeout`, Code.DeadlineExceeded) : signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener("abort", forward, { once: true });
  return controller.signal;
}
