// A read-only Fetch `Headers` over Node's incoming header object, for the gRPC unary fast path
// (unary-fast-path.ts): handlers and interceptors read request headers through the Headers API,
// and building a real Headers copies and validates every header of every call. Names are the
// lower-case keys Node already made; HTTP/2 pseudo-headers (":path" ...) are left out, repeated
// headers are joined with ", " as Headers does. Writing is refused: request headers are the
// caller's.
import type { IncomingHttpHeaders } from "node:http2";

export class RecordHeaders implements Headers {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const key = name.toLowerCase();
    if (key.startsWith(":")) return null;
    const v = this.raw[key];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(", ") : v;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  getSetCookie(): string[] {
    const v = this.raw["set-cookie"];
    return v === undefined ? [] : Array.isArray(v) ? [...v] : [v];
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const key of Object.keys(this.raw).sort()) {
      if (key.startsWith(":")) continue;
      const value = this.get(key);
      if (value !== null) yield [key, value];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  append(): void {
    throw new TypeError("request headers are read-only");
  }

  set(): void {
    throw new TypeError("request headers are read-only");
  }

  delete(): void {
    throw new TypeError("request headers are read-only");
  }
}
