// The response cache's side of a shared tier: entries to bytes and back
// (codec.ts), the per-entry size cap, and the counts GetCacheStats reports.
// Everything here fails open like the tier itself: a value that does not
// decode is a miss, one that does not encode is simply not shared.
import { decodeStream, decodeUnary, encodeStream, encodeUnary } from "./codec.js";
import type { StreamEntry, UnaryEntry } from "./entry.js";
import type { SharedTier } from "./shared-tier.js";

export const DEFAULT_SHARED_MAX_ENTRY_BYTES = 1024 * 1024;

export interface Shared<E> {
  entry: E;
  /** Lifetime left in the shared tier (ms). */
  ttlMs: number;
}

export class SharedCopies {
  /** Lookups the shared tier answered. */
  hits = 0;
  private codecErrors = 0;

  constructor(
    private readonly tier: SharedTier,
    private readonly maxEntryBytes = DEFAULT_SHARED_MAX_ENTRY_BYTES,
  ) {}

  unary(key: string): Promise<Shared<UnaryEntry> | undefined> {
    return this.fetch("u", key, decodeUnary);
  }

  stream(key: string): Promise<Shared<StreamEntry> | undefined> {
    return this.fetch("s", key, decodeStream);
  }

  /** Shares a stored entry unless it is larger than the cap; never throws. */
  put(key: string, e: UnaryEntry | StreamEntry, ttlMs: number): void {
    if (e.bytes > this.maxEntryBytes) return;
    try {
      if ("response" in e) this.tier.store("u", key, encodeUnary(e), ttlMs);
      else this.tier.store("s", key, encodeStream(e), ttlMs);
    } catch {
      this.codecErrors++; // never lose the caller's answer over the shared copy
    }
  }

  /** Failed, timed out or undecodable lookups and stores. */
  get errors(): number {
    return this.tier.stats().errors + this.codecErrors;
  }

  private async fetch<E>(kind: "u" | "s", key: string, decode: (bytes: Uint8Array) => E): Promise<Shared<E> | undefined> {
    const found = await this.tier.lookup(kind, key);
    if (found === undefined) return undefined;
    try {
      const entry = decode(found.bytes);
      this.hits++;
      return { entry, ttlMs: found.ttlMs };
    } catch {
      this.codecErrors++;
      return undefined;
    }
  }
}
