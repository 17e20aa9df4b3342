// AdminService.WatchStats as a callback: every message, reconnecting after the stream ends
// (server stream duration limit, network) until stopped. No polling: the server pushes.
import type { WatchStatsResponse } from "../../../gen/ts/hoosh/v1/admin_pb.js";
import type { HooshClient } from "../../ts/src/web.js";

const RECONNECT_MS = 2000;
const STREAM_TIMEOUT_MS = 10 * 60_000;

export function watchStats(client: HooshClient, intervalMs: number, onStats: (s: WatchStatsResponse) => void, onError: (err: unknown) => void): () => void {
  const controller = new AbortController();
  void (async () => {
    while (!controller.signal.aborted) {
      try {
        for await (const s of client.admin.watchStats({ intervalMs }, { signal: controller.signal, timeoutMs: STREAM_TIMEOUT_MS })) onStats(s);
      } catch (err) {
        if (controller.signal.aborted) return;
        onError(err);
      }
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  })();
  return () => controller.abort();
}
