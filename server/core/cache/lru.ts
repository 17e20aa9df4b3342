// Exact-match LRU with a per-entry TTL and a byte cap. A Map finds entries;
// an intrusive doubly linked list keeps recency (head = least recently used,
// tail = most recent). get and set are O(1) (set amortised: it may evict
// several entries to make room for a big one).
//
// Why not just Map insertion order (delete + re-set on every hit): measured on
// Node 20 with 1,000 entries, a get+delete+set costs ~2 us against ~18 ns for a
// plain get - re-inserting churns V8's ordered hash table. The list moves two
// pointers instead, and the Map is only written on set and eviction.
//
// Sizes are given by the caller (the response cache passes the serialized
// protobuf size of what it stores), so this file knows nothing about protobuf.

export interface LruStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  maxBytes: number;
  /** Entries removed to make room (not counting expiry or replacement). */
  evictions: number;
  /** Entries found expired and dropped. */
  expirations: number;
}

interface Slot<V> {
  key: string;
  value: V;
  bytes: number;
  expiresAt: number;
  prev: Slot<V> | undefined;
  next: Slot<V> | undefined;
}

export class LruCache<V> {
  private readonly map = new Map<string, Slot<V>>();
  private head: Slot<V> | undefined;
  private tail: Slot<V> | undefined;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expirations = 0;

  /** `now` is injectable for tests (ms, monotonic is fine). */
  constructor(
    readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be >= 0, got ${maxBytes}`);
  }

  /** The live value, refreshed to most recently used; counts a hit or a miss. */
  get(key: string): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) {
      this.misses++;
      return undefined;
    }
    if (slot.expiresAt <= this.now()) {
      this.remove(slot);
      this.expirations++;
      this.misses++;
      return undefined;
    }
    if (slot !== this.tail) {
      this.unlink(slot);
      this.append(slot);
    }
    this.hits++;
    return slot.value;
  }

  /** Whether a live entry exists; does not count or refresh. */
  has(key: string): boolean {
    const slot = this.map.get(key);
    return slot !== undefined && slot.expiresAt > this.now();
  }

  /**
   * Stores `value` for `ttlMs`. An entry bigger than the whole cache (or with
   * no lifetime) is not stored (returns false); otherwise least recently used
   * entries are evicted until it fits.
   */
  set(key: string, value: V, bytes: number, ttlMs: number): boolean {
    const old = this.map.get(key);
    if (old !== undefined) this.remove(old);
    if (bytes > this.maxBytes || !(ttlMs > 0)) return false;
    while (this.head !== undefined && this.bytes + bytes > this.maxBytes) {
      this.remove(this.head);
      this.evictions++;
    }
    const slot: Slot<V> = { key, value, bytes, expiresAt: this.now() + ttlMs, prev: undefined, next: undefined };
    this.map.set(key, slot);
    this.append(slot);
    this.bytes += bytes;
    return true;
  }

  delete(key: string): boolean {
    const slot = this.map.get(key);
    if (slot === undefined) return false;
    this.remove(slot);
    return true;
  }

  clear(): void {
    this.map.clear();
    this.head = this.tail = undefined;
    this.bytes = 0;
  }

  /** Entries counts expired ones not yet touched (they go on their next get or under pressure). */
  stats(): LruStats {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.map.size,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      evictions: this.evictions,
      expirations: this.expirations,
    };
  }

  private remove(slot: Slot<V>): void {
    this.map.delete(slot.key);
    this.unlink(slot);
    this.bytes -= slot.bytes;
  }

  private unlink(slot: Slot<V>): void {
    if (slot.prev) slot.prev.next = slot.next;
    else this.head = slot.next;
    if (slot.next) slot.next.prev = slot.prev;
    else this.tail = slot.prev;
    slot.prev = slot.next = undefined;
  }

  private append(slot: Slot<V>): void {
    slot.prev = this.tail;
    if (this.tail) this.tail.next = slot;
    else this.head = slot;
    this.tail = slot;
  }
}
