/**
 * The request log of one app: records come in as requests end (write(): a push, nothing else on
 * the request path), go to TailRequests' subscribers at once, and to the store in batches, every
 * flushMs or sooner when BATCH have piled up. A store that cannot take a batch keeps it buffered
 * and tries again on the next flush; past maxBuffered the oldest records are dropped (counted and
 * logged, never blocking requests). Every pruneEveryMs the store drops records older than the
 * retention and the oldest beyond maxRows. Optional exporters (OTLP logs) get each batch too.
 */
import type { RequestCursor, RequestFilter, RequestLogStore, RequestPage, RequestQuery, RequestRecord } from "./record.js";
import type { Redactor } from "./redact.js";
import { Tail } from "./tail.js";

type LogFn = (level: "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface RequestLogOptions {
  store: RequestLogStore;
  retentionMs: number;
  maxRows: number;
  /** Prompts and answers are kept ([log] payloads), redacted by this. */
  payloads?: Redactor | undefined;
  flushMs?: number;
  pruneEveryMs?: number;
  maxBuffered?: number;
  exporters?: ((records: readonly RequestRecord[]) => void)[];
  now?: () => number;
  log?: LogFn;
}

const BATCH = 500;

/** What the edges and the MCP bridge hand their records to. */
export interface RequestSink {
  write(record: RequestRecord): void;
  /** Set when prompts and answers are logged: redacts them. */
  readonly payloads?: Redactor | undefined;
}

export class RequestLog implements RequestSink {
  readonly payloads: Redactor | undefined;
  readonly #tail = new Tail();
  #buffer: RequestRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #pruner: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #dropped = 0;
  #failing = false;
  #closed = false;

  constructor(private readonly options: RequestLogOptions) {
    this.payloads = options.payloads;
  }

  /** Starts the retention timer (a first pass right away). */
  start(): void {
    const prune = () => void this.prune().catch((err: unknown) => this.options.log?.("warn", "request log retention pass failed", { error: (err as Error).message }));
    this.#pruner = setInterval(prune, this.options.pruneEveryMs ?? 60_000);
    this.#pruner.unref();
    prune();
  }

  write(record: RequestRecord): void {
    if (this.#closed) return;
    this.#tail.publish(record);
    this.#buffer.push(record);
    const max = this.options.maxBuffered ?? 10_000;
    if (this.#buffer.length > max) {
      this.#dropped += this.#buffer.length - max;
      this.#buffer.splice(0, this.#buffer.length - max);
    }
    if (this.#buffer.length >= BATCH) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.options.flushMs ?? 200);
      this.#timer.unref();
    }
  }

  /** Writes what is buffered (one store step per batch); concurrent calls share one pass. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
      if (this.#buffer.length > 0 && !this.#timer && !this.#closed && !this.#failing) void this.flush();
    });
    return this.#flushing;
  }

  /**
   * One page from the store, after writing what is buffered: a request this replica has logged is
   * listed at once, not only after the next flush (so a caller that starts a tail, then lists,
   * misses nothing in between).
   */
  async list(query: RequestQuery): Promise<RequestPage> {
    if (this.#buffer.length > 0) await this.flush();
    return this.options.store.list(query);
  }

  /** New records passing `filter` as they happen, until `signal` aborts or the app is replaced. */
  tail(filter: RequestFilter, signal: AbortSignal): AsyncGenerator<RequestRecord> {
    return this.#tail.follow(filter, signal);
  }

  /** Drops what the retention says (the timer's pass; callable directly). */
  prune(): Promise<number> {
    const now = (this.options.now ?? Date.now)();
    return this.options.store.prune(now - this.options.retentionMs, this.options.maxRows);
  }

  /** The app is being replaced: tails end (their callers reconnect to the new app). */
  retire(): void {
    this.#tail.end();
  }

  async close(): Promise<void> {
    clearInterval(this.#pruner);
    this.#tail.end();
    await this.flush();
    this.#closed = true;
  }

  async #flush(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, BATCH);
      try {
        await this.options.store.append(batch);
      } catch (err) {
        if (!this.#failing) this.options.log?.("warn", "request log: the store did not take records; they stay buffered and are retried", { records: this.#buffer.length, error: (err as Error).message });
        this.#failing = true;
        this.#timer ??= setTimeout(() => ((this.#failing = false), void this.flush()), 1000);
        this.#timer.unref();
        return;
      }
      this.#failing = false;
      this.#buffer.splice(0, batch.length);
      for (const e of this.options.exporters ?? []) e(batch);
    }
    if (this.#dropped > 0) {
      this.options.log?.("warn", "request log: records dropped while the store could not keep up", { dropped: this.#dropped });
      this.#dropped = 0;
    }
  }
}

/** A page token: the cursor as base64url JSON. */
export function encodeCursor(c: RequestCursor): string {
  return Buffer.from(JSON.stringify([c.time, c.seq])).toString("base64url");
}

/** The cursor of a page token; undefined when it is not one (the caller answers InvalidArgument). */
export function decodeCursor(token: string): RequestCursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) return { time: v[0] as number, seq: v[1] as number };
  } catch {
    // not JSON
  }
  return undefined;
}
