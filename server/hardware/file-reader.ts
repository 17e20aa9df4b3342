/**
 * BoundedReader: little-endian reads from a file handle through one small window, so a parser can
 * walk a multi-gigabyte file's header without loading it. Every read and skip is checked against
 * the file size first; running past the end throws an `invalid` ModelFileError naming the offset.
 *
 * Callers make sure bytes are buffered (`await ensure(n)`, or `has(n)` to skip the await in hot
 * loops) and then read them synchronously.
 */
import type { FileHandle } from "node:fs/promises";

import { invalidModel } from "./errors.js";

const WINDOW = 64 * 1024;

export class BoundedReader {
  /** Absolute offset of the next byte to read. */
  pos = 0;
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    /** Prefix for error messages, e.g. "corrupt GGUF". */
    private readonly label: string,
  ) {}

  get remaining(): number {
    return this.size - this.pos;
  }

  has(n: number): boolean {
    const off = this.pos - this.bufStart;
    return off >= 0 && off + n <= this.buf.length;
  }

  /** Buffers the next `n` bytes; throws when the file ends before them. */
  async ensure(n: number, what: string): Promise<void> {
    if (n > this.remaining) throw this.truncated(what, n);
    if (this.has(n)) return;
    const len = Math.min(Math.max(n, WINDOW), this.remaining);
    const b = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(b, got, len - got, this.pos + got);
      if (bytesRead === 0) throw this.truncated(what, n); // file shrank under us
      got += bytesRead;
    }
    this.buf = b;
    this.bufStart = this.pos;
  }

  /** Moves past `n` bytes without reading them. */
  skip(n: number, what: string): void {
    if (n > this.remaining) throw this.truncated(what, n);
    this.pos += n;
  }

  u8(): number {
    return this.buf.readUInt8(this.advance(1));
  }
  i8(): number {
    return this.buf.readInt8(this.advance(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.advance(2));
  }
  i16(): number {
    return this.buf.readInt16LE(this.advance(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.advance(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.advance(4));
  }
  u64(): bigint {
    return this.buf.readBigUInt64LE(this.advance(8));
  }
  i64(): bigint {
    return this.buf.readBigInt64LE(this.advance(8));
  }
  f32(): number {
    return this.buf.readFloatLE(this.advance(4));
  }
  f64(): number {
    return this.buf.readDoubleLE(this.advance(8));
  }
  bytes(n: number): Buffer {
    const off = this.advance(n);
    return this.buf.subarray(off, off + n);
  }

  /** A u64 used as a length or count: must be a safe integer no larger than `limit`. */
  length(what: string, limit: number): number {
    const at = this.pos;
    const v = this.u64();
    if (v > BigInt(limit)) {
      throw invalidModel(
        `${this.label}: ${what} ${v} at offset ${at} is impossible: only ${this.size - this.pos} bytes follow in a ${this.size}-byte file (corrupt or truncated)`,
      );
    }
    return Number(v);
  }

  fail(message: string): Error {
    return invalidModel(`${this.label}: ${message}`);
  }

  private advance(n: number): number {
    const off = this.pos - this.bufStart;
    if (off < 0 || off + n > this.buf.length) throw new Error(`BoundedReader: ${n} bytes at ${this.pos} not buffered`);
    this.pos += n;
    return off;
  }

  private truncated(what: string, n: number): Error {
    return invalidModel(
      `${this.label}: truncated: ${what} needs ${n} bytes at offset ${this.pos} but the file ends at ${this.size}`,
    );
  }
}
