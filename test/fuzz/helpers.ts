// Shared helpers for the fast-check property tests under test/fuzz.
import fc from "fast-check";

/** Per-property budget: stop generating new cases after this long (a loaded 2-core box must stay < ~10 s). */
export const TIME_LIMIT_MS = 6_000;

/** fc.assert options: many runs, bounded wall time, a per-case timeout for async properties (hang detection). */
export function budget(numRuns: number, seed?: number): fc.Parameters<unknown> {
  return {
    numRuns,
    interruptAfterTimeLimit: TIME_LIMIT_MS,
    markInterruptAsFailure: false,
    timeout: 1_000,
    ...(seed === undefined ? {} : { seed }),
  };
}

/** Splits bytes at the given (sorted, deduplicated, clamped) offsets. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** The chunks as an async byte stream, like an HTTP body. */
export async function* stream<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

export interface Outcome<T> {
  items: T[];
  error?: unknown;
}

/** Drains an async iterable, capturing what it yielded and what it threw. */
export async function drain<T>(it: AsyncIterable<T>): Promise<Outcome<T>> {
  const items: T[] = [];
  try {
    for await (const x of it) items.push(x);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

/** Cut offsets for a byte string of up to `max` bytes. */
export const cutsArb = (max = 4096) => fc.array(fc.integer({ min: 0, max }), { maxLength: 24 });

/** Describes an unexpected exception for a failure message. */
export function describe(err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}\n${err.stack ?? ""}` : String(err);
}
