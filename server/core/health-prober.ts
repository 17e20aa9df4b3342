// Background health probes: every probe_interval_ms, a cheap upstream call
// (the model listing) per provider feeds ProviderHealth, so an open breaker
// closes once the upstream recovers even without traffic, and ModelsService /
// grpc.health show trouble before a caller meets it.
import { ConnectError } from "@connectrpc/connect";
import type { Provider } from "../providers/provider.js";
import type { ProviderHealth } from "./provider-health.js";

const PROBE_TIMEOUT_MS = 5_000;

export interface ProbeTarget {
  provider: Provider;
  /** 0 = no probing. */
  intervalMs: number;
}

export class HealthProber {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly targets: ProbeTarget[],
    private readonly health: ProviderHealth,
  ) {}

  start(): void {
    for (const { provider, intervalMs } of this.targets) {
      if (intervalMs <= 0) continue;
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        void this.probe(provider).finally(() => (running = false));
      }, intervalMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  async probe(provider: Provider): Promise<void> {
    try {
      await provider.listModels({ signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), requestId: `probe-${provider.name}` });
      this.health.success(provider.name);
    } catch (err) {
      this.health.failure(provider.name, ConnectError.from(err));
    }
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}
