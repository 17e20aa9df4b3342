// Speech engines hoosh runs as child processes report their state; their providers' health
// follows: grpc.health `hoosh.provider.<name>` is NOT_SERVING from the moment the engine starts
// or dies until it is ready (requests meanwhile wait for it, as for a local model loading), and
// a dead engine counts as a failure for the breaker and ModelsService (degraded, with the reason)
// until its restart is ready.
import { Code, ConnectError } from "@connectrpc/connect";
import type { EngineState } from "../engines/stt/whisper-server/managed-process.js";
import type { Provider } from "../providers/provider.js";
import type { HealthStatus } from "./health-status.js";
import type { ProviderHealth } from "./provider-health.js";
import { providerHealthName } from "./provider-health-status.js";

interface WatchedEngine {
  /** Subscribes; returns the state now. */
  watchEngine(listener: (state: EngineState) => void): EngineState;
}

const watched = (p: Provider): p is Provider & WatchedEngine => typeof (p as Partial<WatchedEngine>).watchEngine === "function";

export function watchSpeechEngines(providers: readonly Provider[], breakers: ProviderHealth, status: HealthStatus): void {
  for (const p of providers.filter(watched)) {
    const name = providerHealthName(p.name);
    const follow = (state: EngineState) => {
      // The breaker first: its change listener publishes SERVING for anything short of unhealthy.
      if (state === "ready") breakers.success(p.name);
      if (state === "down") breakers.failure(p.name, new ConnectError("the speech engine process is not running (it is started again)", Code.Unavailable));
      status.set(name, state === "ready" ? "SERVING" : "NOT_SERVING");
    };
    // The engine may have started (even become ready) before this ran: begin from its state now.
    // "down" now means not started yet (first use), or a failed start that the next request retries.
    const now = p.watchEngine(follow);
    if (now !== "down") follow(now);
  }
}
