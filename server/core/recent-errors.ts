// Each provider's latest errors for operators (AdminService.WatchStats, the console's Providers
// page): a few per provider, so memory stays bounded however many requests fail.
export interface RecentError {
  timeMs: number;
  /** gRPC code name, e.g. "unavailable". */
  code: string;
  message: string;
  model: string;
}

export const RECENT_ERRORS_PER_PROVIDER = 10;

export class RecentErrors {
  /** Newest first, at most `size` per provider (a handful: unshift and pop cost nothing). */
  private readonly byProvider = new Map<string, RecentError[]>();

  constructor(private readonly size = RECENT_ERRORS_PER_PROVIDER) {}

  add(provider: string, e: RecentError): void {
    let list = this.byProvider.get(provider);
    if (!list) this.byProvider.set(provider, (list = []));
    list.unshift(e);
    if (list.length > this.size) list.pop();
  }

  /** The provider's errors, newest first (empty when it has none). */
  of(provider: string): RecentError[] {
    return [...(this.byProvider.get(provider) ?? [])];
  }
}
