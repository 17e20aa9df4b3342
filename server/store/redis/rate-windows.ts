/**
 * Rate windows in Redis, shared by every replica: one sorted set of admission
 * times and one hash of per-second token buckets per subject, under
 * `<prefix>rate:<subject>:`. Each take / addTokens is one Lua script
 * (rate-scripts.ts), so counts are exact across replicas. A Redis that is
 * down or slow fails the call like the budget store does: Unavailable,
 * "budget store unavailable: ...", after at most the command timeout.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RedisConnectionOptions } from "./connection.js";
import { connectWithScripts, LuaScript } from "./scripts.js";
import { ADD_TOKENS, TAKE } from "./rate-scripts.js";
import { WINDOW_MS, type RateLimits, type RateWindows, type Verdict } from "../../core/rate-limit/window.js";

const SCRIPTS = { take: new LuaScript("rate-take", TAKE), addTokens: new LuaScript("rate-add-tokens", ADD_TOKENS) } as const;

export interface RedisRateWindowsOptions {
  /** Prefix of every key. Default "hoosh:". */
  readonly prefix?: string;
  /** "redis" (default): Redis's clock, one for all replicas. "caller": the `now` passed in (tests). */
  readonly clock?: "redis" | "caller";
  /** Bound on a script's reply (ms); default 1000. */
  readonly commandTimeoutMs?: number;
}

export class RedisRateWindows implements RateWindows {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #callerClock: boolean;
  readonly #ownsClient: boolean;
  readonly #timeoutMs: number | undefined;

  /** Its own connection to `url` (closed by close()), scripts loaded. */
  static async connect(url: string, options: RedisRateWindowsOptions & RedisConnectionOptions = {}): Promise<RedisRateWindows> {
    return new RedisRateWindows(await connectWithScripts(url, options, Object.values(SCRIPTS)), options, true);
  }

  constructor(client: Redis, options: RedisRateWindowsOptions = {}, ownsClient = false) {
    this.#client = client;
    this.#prefix = options.prefix ?? "hoosh:";
    this.#callerClock = options.clock === "caller";
    this.#ownsClient = ownsClient;
    this.#timeoutMs = options.commandTimeoutMs;
  }

  async take(key: string, limits: RateLimits, now: number): Promise<Verdict> {
    if (limits.rpm === undefined && limits.tpm === undefined) return { admitted: true };
    const [status, wait] = (await SCRIPTS.take.run(this.#client, [
      this.#key(key, "req"),
      this.#key(key, "tok"),
      this.#now(now),
      limits.rpm === undefined ? "" : String(limits.rpm),
      limits.tpm === undefined ? "" : String(limits.tpm),
      randomUUID(),
      String(WINDOW_MS),
    ], this.#timeoutMs)) as [string, number?];
    if (status === "ok") return { admitted: true };
    return { admitted: false, limit: status as "rpm" | "tpm", retryAfterMs: Number(wait) };
  }

  async addTokens(key: string, tokens: number, now: number): Promise<void> {
    if (tokens <= 0) return;
    await SCRIPTS.addTokens.run(this.#client, [this.#key(key, "tok"), this.#now(now), String(Math.round(tokens)), String(WINDOW_MS)], this.#timeoutMs);
  }

  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  #key(subject: string, part: "req" | "tok"): string {
    return `${this.#prefix}rate:${subject}:${part}`;
  }

  #now(now: number): string {
    return this.#callerClock ? String(Math.floor(now)) : "";
  }
}
