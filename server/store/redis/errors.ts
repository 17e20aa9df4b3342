/**
 * Redis failures as the project's one error type, in one place. A Redis that
 * cannot be reached, times out, is loading, busy, read-only or out of memory
 * makes the budget store unavailable: Code.Unavailable with "budget store
 * unavailable: ..." (the ledger passes it through; gRPC clients may retry).
 * Any other error reply is a bug in a script: Code.Internal.
 * Messages carry the client's or server's text only, never the URL (it may hold a password).
 */
import { Code, ConnectError } from "@connectrpc/connect";

const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|MISCONF)\b/;

function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === "ReplyError";
}

export function isNoScript(err: unknown): boolean {
  return isReplyError(err) && err.message.startsWith("NOSCRIPT");
}

export function storeUnavailable(reason: string, cause?: unknown): ConnectError {
  return new ConnectError(`budget store unavailable: ${reason}`, Code.Unavailable, undefined, undefined, cause);
}

export function fromRedisError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isReplyError(err) && !TRANSIENT_REPLY.test(message)) {
    return new ConnectError(`budget store error: ${message}`, Code.Internal, undefined, undefined, err);
  }
  return storeUnavailable(`redis: ${message}`, err);
}
