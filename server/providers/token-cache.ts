// A bearer token that is fetched once, shared by concurrent callers, and
// fetched again before it expires (cloud tokens live about an hour).
export interface FetchedToken {
  value: string;
  /** Lifetime from now, in ms. */
  expiresInMs: number;
}

/** Refresh this long before expiry (or at half the lifetime of a short-lived token). */
const REFRESH_MARGIN_MS = 5 * 60_000;

export class TokenCache {
  private token?: { value: string; refreshAt: number; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly fetch: () => Promise<FetchedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    const t = this.token;
    const now = this.now();
    if (t && now < t.refreshAt) return t.value;
    this.pending ??= this.refresh().finally(() => (this.pending = undefined));
    // Inside the refresh margin the current token is still good: use it if the refresh fails.
    if (t && now < t.expiresAt) return this.pending.catch(() => t.value);
    return this.pending;
  }

  private async refresh(): Promise<string> {
    const started = this.now();
    const { value, expiresInMs } = await this.fetch();
    const margin = Math.min(REFRESH_MARGIN_MS, expiresInMs / 2);
    this.token = { value, refreshAt: started + expiresInMs - margin, expiresAt: started + expiresInMs };
    return value;
  }
}
