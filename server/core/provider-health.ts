// Health of each provider from real traffic and probes, with a circuit
// breaker: consecutive upstream failures degrade a provider, `failures` of
// them open its breaker (the router skips it), and after `cooldownMs` it is
// half-open: the next request or probe may try it; a success closes it.
import { Code, type ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";
import { RecentErrors } from "./recent-errors.js";

/** Codes that say the provider is broken, not that the caller asked wrongly. */
const PROVIDER_FAULTS = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unauthenticated, Code.PermissionDenied, Code.Unknown]);

export interface BreakerSettings {
  failures: number;
  cooldownMs: number;
}

const DEFAULT_BREAKER: BreakerSettings = { failures: 3, cooldownMs: 30_000 };

interface State {
  failures: number;
  reason: string;
  /** Set while the breaker is open: when it becomes half-open. */
  openUntil?: number;
  /** Set when the provider must not be routed to at all (e.g. its model does not fit the machine). */
  excluded?: string;
}

export type HealthListener = (provider: string, state: HealthState, reason: string) => void;

export class ProviderHealth {
  private readonly states = new Map<string, State>();
  private readonly listeners = new Set<HealthListener>();
  /** The provider faults that failure() saw, kept for operators (WatchStats). */
  readonly recentErrors = new RecentErrors();

  constructor(
    private readonly settings: (provider: string) => BreakerSettings = () => DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {}

  success(provider: string): void {
    this.update(provider, { failures: 0, reason: "" });
  }

  failure(provider: string, err: ConnectError, model = ""): void {
    if (!PROVIDER_FAULTS.has(err.code)) return;
    this.recentErrors.add(provider, { timeMs: this.now(), code: codeToString(err.code), message: err.rawMessage, model });
    const failures = (this.states.get(provider)?.failures ?? 0) + 1;
    const { failures: threshold, cooldownMs } = this.settings(provider);
    this.update(provider, { failures, reason: err.rawMessage, openUntil: failures >= threshold ? this.now() + cooldownMs : undefined });
  }

  /** Takes a provider out of routing for good, with the reason shown as its health. */
  exclude(provider: string, reason: string): void {
    this.update(provider, { failures: 0, reason, excluded: reason });
  }

  /** False while the breaker is open or the provider is excluded; true when closed or half-open (cooldown over). */
  allows(provider: string): boolean {
    const s = this.states.get(provider);
    if (s?.excluded !== undefined) return false;
    return s?.openUntil === undefined || this.now() >= s.openUntil;
  }

  /** When an open breaker lets the next try through (undefined if not open). */
  openUntil(provider: string): number | undefined {
    return this.states.get(provider)?.openUntil;
  }

  get(provider: string): { state: HealthState; reason: string } {
    const s = this.states.get(provider);
    if (!s) return { state: HealthState.UNKNOWN, reason: "" };
    if (s.excluded !== undefined) return { state: HealthState.UNHEALTHY, reason: s.excluded };
    return { state: stateOf(s), reason: s.openUntil !== undefined ? `circuit open after ${s.failures} failures: ${s.reason}` : s.reason };
  }

  /** Called after every change of a provider's state (not on every repeat of the same state). */
  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(provider: string, next: State): void {
    const before = this.states.get(provider);
    // Exclusion is sticky: traffic results and probes do not undo it.
    if (before?.excluded !== undefined && next.excluded === undefined) return;
    this.states.set(provider, next);
    const state = stateOf(next);
    if (before && stateOf(before) === state) return;
    const { reason } = this.get(provider);
    for (const l of this.listeners) l(provider, state, reason);
  }
}

function stateOf(s: State): HealthState {
  if (s.excluded !== undefined) return HealthState.UNHEALTHY;
  if (s.failures === 0) return HealthState.HEALTHY;
  return s.openUntil !== undefined ? HealthState.UNHEALTHY : HealthState.DEGRADED;
}
