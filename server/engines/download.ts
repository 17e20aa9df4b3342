// Downloads a model file over http(s) into place: bytes go to "<dest>.part", an interrupted
// download resumes from where it stopped (HTTP Range), the sha256 is checked when one is given,
// and only a complete, verified file is renamed to its final name (atomic on one filesystem).
//
// A checksum mismatch deletes the .part file: its bytes are wrong, so resuming from them could
// never succeed. Any other failure keeps it for the next run to resume.
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Agent, fetch, type Response } from "undici";

export interface DownloadOptions {
  url: string;
  /** Final path; "<dest>.part" holds the bytes until they are complete. */
  dest: string;
  /** Expected sha256, lowercase hex. */
  sha256?: string | undefined;
  /** First bytes the file must start with (e.g. "GGUF"), so an HTML error page is never kept. */
  magic?: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((received: number, total: number | undefined) => void) | undefined;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** Bytes that were already in the .part file and not fetched again. */
  resumedFrom: number;
}

export class DownloadError extends Error {}

export async function download(opts: DownloadOptions): Promise<DownloadResult> {
  // An agent of its own, closed at the end: a pooled keep-alive socket would hold the CLI's
  // process open until the server's idle timeout.
  const agent = new Agent();
  try {
    return await fetchInto(opts, agent);
  } finally {
    await agent.destroy();
  }
}

async function fetchInto(opts: DownloadOptions, agent: Agent): Promise<DownloadResult> {
  const part = `${opts.dest}.part`;
  let have = await sizeOf(part);
  const res = await fetch(opts.url, {
    headers: have > 0 ? { range: `bytes=${have}-` } : {},
    redirect: "follow",
    signal: opts.signal ?? null,
    dispatcher: agent,
  }).catch((err: unknown) => {
    throw new DownloadError(`cannot fetch ${opts.url}: ${reason(err)}`);
  });

  let total: number | undefined;
  if (res.status === 206) {
    if (have === 0 || rangeStart(res) !== have) {
      await res.body?.cancel();
      throw new DownloadError(`${opts.url} answered a range that was not asked for (${res.headers.get("content-range") ?? "no Content-Range"})`);
    }
    total = rangeTotal(res);
  } else if (res.status === 416 && have > 0) {
    await res.body?.cancel();
    // The .part file already holds every byte (nothing left to fetch), or more than the file has now.
    if (rangeTotal(res) !== have) {
      await rm(part, { force: true });
      throw new DownloadError(`${opts.url} is shorter than the partial download (the file changed?); the partial file was removed, run again`);
    }
    total = have;
  } else if (res.ok) {
    // A full answer (the server ignored the range, or there was nothing to resume): start over.
    have = 0;
    const length = Number(res.headers.get("content-length"));
    total = Number.isFinite(length) && length > 0 ? length : undefined;
  } else {
    await res.body?.cancel();
    throw new DownloadError(`HTTP ${res.status} ${res.statusText} from ${opts.url}`);
  }

  const hash = createHash("sha256");
  if (have > 0) await hashFile(part, hash);
  let received = have;
  opts.onProgress?.(received, total);
  if (res.status !== 416 && res.body) {
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        received += chunk.length;
        opts.onProgress?.(received, total);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), counter, createWriteStream(part, { flags: have > 0 ? "a" : "w" }));
    } catch (err) {
      throw new DownloadError(`download interrupted after ${received} bytes (${reason(err)}); run the same command again to resume`);
    }
  }
  if (total !== undefined && received !== total) {
    throw new DownloadError(`download ended after ${received} of ${total} bytes; run the same command again to resume`);
  }

  const sha256 = hash.digest("hex");
  if (opts.sha256 && sha256 !== opts.sha256.toLowerCase()) {
    await rm(part, { force: true });
    throw new DownloadError(`sha256 mismatch: got ${sha256}, expected ${opts.sha256.toLowerCase()}; the partial file was removed`);
  }
  if (opts.magic && (await head(part, opts.magic.length)) !== opts.magic) {
    await rm(part, { force: true });
    throw new DownloadError(`${opts.url} is not a ${opts.magic} file (it does not start with "${opts.magic}"); the partial file was removed`);
  }
  await rename(part, opts.dest);
  return { bytes: received, sha256, resumedFrom: have };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

async function head(path: string, n: number): Promise<string> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.toString("latin1", 0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Content-Range "bytes 100-199/1000" → 100; an unsatisfied range ("bytes *\/1000") → undefined. */
function rangeStart(res: Response): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
  return m ? Number(m[1]) : undefined;
}

function rangeTotal(res: Response): number | undefined {
  const m = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "");
  return m ? Number(m[1]) : undefined;
}

function reason(err: unknown): string {
  const e = err as Error & { cause?: Error };
  return e.cause?.message ? `${e.message}: ${e.cause.message}` : (e.message ?? String(err));
}
