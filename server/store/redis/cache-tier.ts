/**
 * The response cache's shared tier on Redis: every replica reads and fills the
 * same entries, `<prefix>cache:u:<key>` (unary) and `<prefix>cache:s:<key>`
 * (streams), each a binary value set with PX so Redis expires it.
 *
 * Fails open (see core/cache/shared-tier.ts): a lookup is one round trip (GET
 * and PTTL pipelined) raced against a short timer, so a slow or stopped Redis
 * costs a request at most `timeoutMs` and then counts as a miss; with the
 * client's offline queue off, an unreachable Redis fails at once. Stores are
 * not awaited. Errors are counted, and logged only when the tier goes from
 * working to failing and back, so an outage does not flood the log.
 */
import type { Redis } from "ioredis";

import type { SharedKind, SharedTier, SharedTierStats, SharedValue } from "../../core/cache/shared-tier.js";
import { withReplyDeadline } from "./deadline.js";

export interface RedisCacheTierOptions {
  /** Key prefix (the store's, e.g. "hoosh:"). */
  readonly prefix: string;
  /** Longest a lookup may wait before it counts as a miss (ms). */
  readonly timeoutMs: number;
  /** Called when the tier starts failing (with the error) and when it works again (no error). */
  readonly onHealth?: (ok: boolean, err?: Error) => void;
}

export class RedisCacheTier implements SharedTier {
  private hits = 0;
  private misses = 0;
  private errors = 0;
  private stores = 0;
  private healthy = true;

  constructor(
    private readonly client: Redis,
    private readonly options: RedisCacheTierOptions,
  ) {}

  /** The Redis key of one entry. */
  keyOf(kind: SharedKind, key: string): string {
    return `${this.options.prefix}cache:${kind}:${key}`;
  }

  async lookup(kind: SharedKind, key: string): Promise<SharedValue | undefined> {
    const k = this.keyOf(kind, key);
    try {
      const reply = await withReplyDeadline(this.client.pipeline().getBuffer(k).pttl(k).exec(), this.options.timeoutMs);
      if (reply === null) throw new Error("shared cache lookup: no reply");
      const [[getErr, value], [ttlErr, ttl]] = reply as [[Error | null, Buffer | null], [Error | null, number]];
      if (getErr ?? ttlErr) throw getErr ?? ttlErr;
      this.ok();
      // PTTL <= 0: expired between the two commands, or a key without a lifetime (not ours).
      if (value === null || !(ttl > 0)) {
        this.misses++;
        return undefined;
      }
      this.hits++;
      return { bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength), ttlMs: ttl };
    } catch (err) {
      this.failed(err);
      return undefined;
    }
  }

  store(kind: SharedKind, key: string, bytes: Uint8Array, ttlMs: number): void {
    const ms = Math.ceil(ttlMs);
    if (!(ms > 0)) return;
    const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let sent: Promise<unknown>;
    try {
      sent = this.client.set(this.keyOf(kind, key), value, "PX", ms);
    } catch (err) {
      this.failed(err);
      return;
    }
    sent.then(
      () => {
        this.stores++;
        this.ok();
      },
      (err: unknown) => this.failed(err),
    );
  }

  stats(): SharedTierStats {
    return { hits: this.hits, misses: this.misses, errors: this.errors, stores: this.stores };
  }

  private ok(): void {
    if (this.healthy) return;
    this.healthy = true;
    this.options.onHealth?.(true);
  }

  private failed(err: unknown): void {
    this.errors++;
    if (!this.healthy) return;
    this.healthy = false;
    this.options.onHealth?.(false, err instanceof Error ? err : new Error(String(err)));
  }
}
