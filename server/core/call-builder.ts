// The one way every edge (gRPC/Connect/gRPC-Web, REST transcoding, OpenAI and Anthropic REST)
// turns an incoming request into the core's CallContext: the request id (core/request-id.ts),
// headers forwarded upstream, the budget-pool header, the caller's key, fresh stats, and ONE
// AbortSignal that fires on the caller's cancel or disconnect, its own deadline, or hoosh's
// request timeout. Per call: one AbortController, one timer, one listener; end() clears them
// (no AbortSignal.any / AbortSignal.timeout, no DOMException on the normal path).
import { Code, ConnectError } from "@connectrpc/connect";
import type { CallContext } from "../providers/provider.js";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id.js";

/** Headers sent on to upstreams as they came (W3C trace context). */
const FORWARDED = ["traceparent", "tracestate"] as const;
export const POOL_HEADER = "x-hoosh-budget-pool";

export interface CallSource {
  /** A request header by lower-case name. */
  header(name: string): string | null | undefined;
  /** server.request_timeout_ms: hoosh's own bound on the call. */
  timeoutMs: number;
  /** Aborted when the caller goes away or its own deadline passes (Connect's handler signal). */
  signal?: AbortSignal | undefined;
  /** The authenticated key, when auth is on. */
  key?: CallContext["key"];
  /** A new request id when the caller sent none (or an invalid one); default a random UUID. */
  newRequestId?: () => string;
}

export interface StartedCall {
  readonly call: CallContext;
  /** Aborts the call (e.g. the REST client disconnected): the core stops and releases. */
  cancel(reason: unknown): void;
  /** The answer is out: stop the timer and the listener. Idempotent. */
  end(): void;
}

export function beginCall(source: CallSource): StartedCall {
  const requestId = requestIdOf(source.header(REQUEST_ID_HEADER), source.newRequestId);
  let forwardHeaders: Record<string, string> | undefined;
  for (const name of FORWARDED) {
    const value = source.header(name);
    if (value) (forwardHeaders ??= {})[name] = value;
  }
  const controller = new AbortController();
  const call: CallContext = { signal: controller.signal, requestId, forwardHeaders: forwardHeaders ?? {}, stats: { provider: "", attempts: 0, upstreamMs: 0 } };
  if (source.key) call.key = source.key;
  const pool = source.header(POOL_HEADER);
  if (pool) call.budgetPool = pool;

  const timeoutMs = source.timeoutMs;
  const timer = setTimeout(() => controller.abort(new ConnectError(`request exceeded the server's ${timeoutMs} ms timeout`, Code.DeadlineExceeded)), timeoutMs);
  timer.unref(); // never what keeps a stopping process alive
  const parent = source.signal;
  const onParent = () => controller.abort(parent!.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener("abort", onParent, { once: true });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    parent?.removeEventListener("abort", onParent);
  };
  return {
    call,
    cancel(reason) {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    end,
  };
}
