/**
 * Who is limited to what: the rpm/tpm of API keys ([[keys]] and keys made at
 * run time), teams and budget pools ([[budgets]]) over one RateWindows. Refusals are
 * ResourceExhausted with retry-after (REST: 429 + Retry-After) and name the
 * subject and the limit; a store failure passes through (Unavailable).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { retrySeconds, type RateLimits, type RateWindows } from "./window.js";

export type RateLogFn = (level: "warn", msg: string, fields: Record<string, unknown>) => void;

/** A subject's limits by its name, looked up per request (keys and teams change at run time). */
export type LimitsOf = (name: string) => RateLimits | undefined;

export interface RateLimiterOptions {
  /** rpm/tpm by API key id. */
  keys?: ReadonlyMap<string, RateLimits> | LimitsOf;
  /** rpm/tpm by team name. */
  teams?: LimitsOf;
  /** rpm/tpm by budget pool name. */
  pools?: ReadonlyMap<string, RateLimits>;
  now?: () => number;
  log?: RateLogFn;
}

/** A subject's limits, keeping only those set. */
export function limitsByName<T extends { rpm?: number | undefined; tpm?: number | undefined }>(
  entries: readonly T[],
  nameOf: (e: T) => string,
): Map<string, RateLimits> {
  const out = new Map<string, RateLimits>();
  for (const e of entries) if (e.rpm !== undefined || e.tpm !== undefined) out.set(nameOf(e), { rpm: e.rpm, tpm: e.tpm });
  return out;
}

const lookup = (from: ReadonlyMap<string, RateLimits> | LimitsOf | undefined): LimitsOf =>
  typeof from === "function" ? from : (name) => from?.get(name);

export class RateLimiter {
  private readonly keys: LimitsOf;
  private readonly teams: LimitsOf;
  private readonly pools: ReadonlyMap<string, RateLimits>;
  private readonly now: () => number;
  private readonly log: RateLogFn;

  constructor(
    readonly windows: RateWindows,
    options: RateLimiterOptions = {},
  ) {
    this.keys = lookup(options.keys);
    this.teams = lookup(options.teams);
    this.pools = options.pools ?? new Map();
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  /** Counts one request of API key `id`; throws when its rpm or tpm is reached. */
  admitKey(id: string): Promise<void> {
    return this.admit(`key:${id}`, `API key ${JSON.stringify(id)}`, this.keys(id));
  }

  /** Counts one request of a key of team `name`; throws when the team's rpm or tpm is reached. */
  admitTeam(name: string): Promise<void> {
    return this.admit(`team:${name}`, `team ${JSON.stringify(name)}`, this.teams(name));
  }

  /** Counts one request charged to pool `name`; throws when its rpm or tpm is reached. */
  admitPool(name: string): Promise<void> {
    return this.admit(`pool:${name}`, `budget pool ${JSON.stringify(name)}`, this.pools.get(name));
  }

  /**
   * Where a call's tokens go once it finishes: the key's, its team's and the
   * pool's windows, those with a tpm. Undefined when none has one. The returned
   * function never throws (a lost count is logged; the usage itself is not affected).
   */
  tokenSink(keyId: string | undefined, pool: string | undefined, team?: string): ((tokens: number) => Promise<void>) | undefined {
    const subjects: string[] = [];
    if (keyId !== undefined && this.keys(keyId)?.tpm !== undefined) subjects.push(`key:${keyId}`);
    if (team !== undefined && this.teams(team)?.tpm !== undefined) subjects.push(`team:${team}`);
    if (pool !== undefined && this.pools.get(pool)?.tpm !== undefined) subjects.push(`pool:${pool}`);
    if (subjects.length === 0) return undefined;
    return async (tokens) => {
      if (tokens <= 0) return;
      const now = this.now();
      await Promise.all(
        subjects.map((s) =>
          this.windows.addTokens(s, tokens, now).catch((err: unknown) => {
            this.log("warn", "tokens not added to the rate window", { subject: s, tokens, error: (err as Error).message });
          }),
        ),
      );
    };
  }

  private async admit(subject: string, label: string, limits: RateLimits | undefined): Promise<void> {
    if (!limits) return;
    const verdict = await this.windows.take(subject, limits, this.now());
    if (verdict.admitted) return;
    const wait = retrySeconds(verdict.retryAfterMs);
    const what = verdict.limit === "rpm" ? `${limits.rpm} requests` : `${limits.tpm} tokens`;
    throw new ConnectError(`${label} exceeded its limit of ${what} per minute; retry in ${wait} s`, Code.ResourceExhausted, {
      "retry-after": String(wait),
    });
  }
}
