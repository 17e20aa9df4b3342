// Cancellation as errors: the caller's reason when it is a ConnectError (deadline, shutdown),
// else CANCELED; and waiting for a promise no longer than the call lives.
import { Code, ConnectError } from "@connectrpc/connect";

export function abortReason(signal: AbortSignal): ConnectError {
  return signal.reason instanceof ConnectError ? signal.reason : new ConnectError("the request was cancelled", Code.Canceled);
}

/** Waits for `p` unless the call is cancelled or times out first (a stalled peer must not outlive the deadline). */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
