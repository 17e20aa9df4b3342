// Health of each provider as seen from real traffic: consecutive upstream
// failures make it degraded, then unhealthy; one success makes it healthy.
import { Code, ConnectError } from "@connectrpc/connect";
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";

/** Codes that say the provider is broken, not that the caller asked wrongly. */
const PROVIDER_FAULTS = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unauthenticated, Code.PermissionDenied, Code.Unknown]);
const UNHEALTHY_AFTER = 3;

interface State {
  failures: number;
  reason: string;
}

export class ProviderHealth {
  private readonly states = new Map<string, State>();

  success(provider: string): void {
    this.states.set(provider, { failures: 0, reason: "" });
  }

  failure(provider: string, err: ConnectError): void {
    if (!PROVIDER_FAULTS.has(err.code)) return;
    const failures = (this.states.get(provider)?.failures ?? 0) + 1;
    this.states.set(provider, { failures, reason: err.rawMessage });
  }

  get(provider: string): { state: HealthState; reason: string } {
    const s = this.states.get(provider);
    if (!s) return { state: HealthState.UNKNOWN, reason: "" };
    if (s.failures === 0) return { state: HealthState.HEALTHY, reason: "" };
    return { state: s.failures >= UNHEALTHY_AFTER ? HealthState.UNHEALTHY : HealthState.DEGRADED, reason: s.reason };
  }
}
