// RequestLogService.TailRequests as callbacks: each new record as the server pushes it,
// reconnecting after the stream ends (its deadline, the network) until stopped. onLive(true) runs
// when a (re)connection listens (the server's ready message), so the caller can fetch what came
// before; onLive(false) when it stops listening.
import { Code, ConnectError } from "@connectrpc/connect";
import type { RequestRecord, TailRequestsRequest } from "../../../gen/ts/hoosh/v1/requests_pb.js";
import type { HooshClient } from "../../ts/src/web.js";

const RECONNECT_MS = 2000;
const STREAM_TIMEOUT_MS = 10 * 60_000;
const GIVE_UP = [Code.PermissionDenied, Code.Unauthenticated, Code.FailedPrecondition, Code.Unimplemented];

export type RequestFilter = Pick<TailRequestsRequest, "keyId" | "team" | "model" | "provider" | "status">;

export interface TailCallbacks {
  onRecord: (r: RequestRecord) => void;
  onLive: (listening: boolean) => void;
  /** A failure worth showing (not the stream's own deadline, after which it just reconnects). */
  onError: (err: unknown) => void;
}

export function tailRequests(client: HooshClient, filter: RequestFilter, cb: TailCallbacks): () => void {
  const controller = new AbortController();
  void (async () => {
    while (!controller.signal.aborted) {
      try {
        const stream = client.requests.tailRequests({ ...filter, readyMessage: true }, { signal: controller.signal, timeoutMs: STREAM_TIMEOUT_MS });
        for await (const m of stream) {
          if (m.ready) cb.onLive(true);
          else if (m.record) cb.onRecord(m.record);
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        const code = ConnectError.from(err).code;
        if (code !== Code.DeadlineExceeded) cb.onError(err);
        // Trying again will not help: no scope, a key no longer valid, or the log is off.
        if (GIVE_UP.includes(code)) return cb.onLive(false);
      }
      cb.onLive(false);
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  })();
  return () => controller.abort();
}
