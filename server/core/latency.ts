// Exponentially weighted moving average of each provider's latency, for the
// lowest-latency strategy.
export class LatencyTracker {
  private readonly ewma = new Map<string, number>();

  constructor(private readonly alpha = 0.2) {}

  record(provider: string, ms: number): void {
    const previous = this.ewma.get(provider);
    this.ewma.set(provider, previous === undefined ? ms : previous + this.alpha * (ms - previous));
  }

  /** 0 when never measured. */
  estimate(provider: string): number {
    return this.ewma.get(provider) ?? 0;
  }
}
