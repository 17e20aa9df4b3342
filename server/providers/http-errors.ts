// Maps HTTP statuses and socket-level failures of any upstream to gRPC codes.
// Vendor folders parse their own error bodies and call these.
import { Code, ConnectError } from "@connectrpc/connect";
import { describeTlsFailure } from "./upstream-tls.js";

export function codeForStatus(status: number): Code {
  if (status === 400 || status === 413 || status === 422) return Code.InvalidArgument;
  if (status === 401) return Code.Unauthenticated;
  if (status === 403) return Code.PermissionDenied;
  if (status === 404) return Code.NotFound;
  if (status === 408 || status === 504) return Code.DeadlineExceeded;
  if (status === 409) return Code.Aborted;
  // 402: the account is out of credit; like a rate limit, another provider may serve.
  if (status === 429 || status === 402) return Code.ResourceExhausted;
  if (status >= 500) return Code.Unavailable;
  return Code.Unknown;
}

/** An upstream's HTTP error as a ConnectError; Retry-After is kept as metadata. */
export function upstreamStatusError(provider: string, status: number, detail: string, retryAfter?: string): ConnectError {
  const metadata = new Headers();
  if (retryAfter) metadata.set("retry-after", retryAfter);
  return new ConnectError(`provider "${provider}" answered HTTP ${status}: ${detail}`, codeForStatus(status), metadata);
}

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/**
 * Anything thrown while talking to an upstream, as a ConnectError. A caller's
 * abort keeps the caller's reason (cancel or deadline); the rest is named.
 */
export function transportError(provider: string, err: unknown, signal: AbortSignal): ConnectError {
  if (err instanceof ConnectError) return err;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof ConnectError) return reason;
    // AbortSignal.timeout() aborts with a TimeoutError DOMException.
    if ((reason as { name?: string } | undefined)?.name === "TimeoutError") {
      return new ConnectError(`request to provider "${provider}" timed out`, Code.DeadlineExceeded);
    }
    return new ConnectError(`request to provider "${provider}" was cancelled`, Code.Canceled);
  }
  const code = (err as { code?: string }).code ?? "";
  const message = err instanceof Error ? err.message : String(err);
  const tls = describeTlsFailure(err);
  if (tls) return new ConnectError(`provider "${provider}" is unreachable: ${tls}`, Code.Unavailable);
  if (TIMEOUT_CODES.has(code)) {
    return new ConnectError(`provider "${provider}" timed out (${code}): ${message}`, Code.DeadlineExceeded);
  }
  return new ConnectError(`provider "${provider}" is unreachable: ${code ? `${code} ` : ""}${message}`, Code.Unavailable);
}
