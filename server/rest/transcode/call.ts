// The in-memory call: which request headers travel as call headers, the
// AbortSignal that ends the call when the HTTP client goes away, the optional
// x-hoosh-timeout-ms deadline, and which response headers come back.
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse } from "../handler.js";

/** Request headers forwarded to the RPC as call headers (auth, correlation, tracing, the budget pool). */
export const FORWARDED_REQUEST_HEADERS = ["authorization", "x-api-key", "x-request-id", "traceparent", "tracestate", "x-hoosh-budget-pool"];
/** RPC response headers copied onto the HTTP response. */
const RETURNED = (name: string) => name === "x-request-id" || name.startsWith("x-hoosh-");
export const TIMEOUT_HEADER = "x-hoosh-timeout-ms";
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface Call {
  options: CallOptions;
  /** Response headers the RPC sent, filtered for the HTTP response (filled by onHeader). */
  responseHeaders: Record<string, string>;
  /** True once the HTTP client is gone. */
  readonly closed: boolean;
  /** Removes the close listener. */
  done(): void;
}

export function startCall(req: HttpRequest, res: HttpResponse): Call {
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
  const timeoutMs = parseTimeout(req.headers[TIMEOUT_HEADER]);
  const controller = new AbortController();
  // "close" before the response finished means the client went away (HTTP/1.1 and HTTP/2 alike).
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new ConnectError("the HTTP client closed the request", Code.Canceled));
  };
  res.once("close", onClose);
  const responseHeaders: Record<string, string> = {};
  return {
    options: {
      headers,
      signal: controller.signal,
      timeoutMs,
      onHeader(h) {
        h.forEach((value, name) => {
          if (RETURNED(name)) responseHeaders[name] = value;
        });
      },
    },
    responseHeaders,
    get closed() {
      return controller.signal.aborted;
    },
    done: () => res.off("close", onClose),
  };
}

function parseTimeout(raw: string | string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw[0] ?? "" : raw;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_TIMEOUT_MS) {
    throw new ConnectError(`header ${TIMEOUT_HEADER}: ${JSON.stringify(text)} is not a whole number of milliseconds (1..${MAX_TIMEOUT_MS})`, Code.InvalidArgument);
  }
  return Number(text);
}
