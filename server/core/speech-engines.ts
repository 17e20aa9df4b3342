// Speech engines hoosh runs as child processes report up/down; their providers' health (the
// breaker, grpc.health `hoosh.provider.<name>`, ModelsService) follows: a crashed engine is
// degraded until its restart is ready again.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Provider } from "../providers/provider.js";
import type { ProviderHealth } from "./provider-health.js";

interface WatchedEngine {
  watchEngine(listener: (ready: boolean, reason: string) => void): void;
}

const watched = (p: Provider): p is Provider & WatchedEngine => typeof (p as Partial<WatchedEngine>).watchEngine === "function";

export function watchSpeechEngines(providers: readonly Provider[], health: ProviderHealth): void {
  for (const p of providers.filter(watched)) {
    p.watchEngine((ready, reason) => (ready ? health.success(p.name) : health.failure(p.name, new ConnectError(reason, Code.Unavailable))));
  }
}
