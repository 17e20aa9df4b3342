// Each provider's latest errors for operators (AdminService.WatchStats, the console's Providers
// page): a fixed-size ring per provider, so memory stays bounded however many requests fail.
export interface RecentError {
  timeMs: number;
  /** gRPC code name, e.g. "unavailable". */
  code: string;
  message: string;
  model: string;
}

export const RECENT_ERRORS_PER_PROVIDER = 10;

class Ring {
  private readonly items: RecentError[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  push(e: RecentError): void {
    if (this.items.length < this.size) this.items.push(e);
    else this.items[this.next] = e;
    this.next = (this.next + 1) % this.size;
  }

  /** Newest first. */
  list(): RecentError[] {
    const n = this.items.length;
    const out: RecentError[] = [];
    for (let i = 1; i <= n; i++) out.push(this.items[(this.next - i + n) % n]!);
    return out;
  }
}

export class RecentErrors {
  private readonly rings = new Map<string, Ring>();

  constructor(private readonly size = RECENT_ERRORS_PER_PROVIDER) {}

  add(provider: string, e: RecentError): void {
    let ring = this.rings.get(provider);
    if (!ring) this.rings.set(provider, (ring = new Ring(this.size)));
    ring.push(e);
  }

  /** The provider's errors, newest first (empty when it has none). */
  of(provider: string): RecentError[] {
    return this.rings.get(provider)?.list() ?? [];
  }
}
