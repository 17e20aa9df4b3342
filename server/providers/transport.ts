// Pooled HTTP transport: one undici Pool per upstream origin, shared by every
// provider that points at that origin. undici sets TCP_NODELAY on its sockets
// and keeps connections alive between requests.
import { Pool } from "undici";
import type { Dispatcher } from "undici";

export interface TransportLimits {
  /** Max time to establish a TCP connection. */
  connectMs: number;
  /** Max time from sending the request to receiving response headers. */
  firstByteMs: number;
  /** Max gap between two chunks of the response body (streams included). */
  idleMs: number;
  /** Max concurrent connections to the origin. */
  maxConnections: number;
}

export interface UpstreamRequest {
  url: URL;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
}

export class Transport {
  private readonly pools = new Map<string, Pool>();

  /** The pool for an origin; the first caller's limits size it. */
  pool(origin: string, limits: TransportLimits): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: limits.maxConnections,
        connect: { timeout: limits.connectMs },
        headersTimeout: limits.firstByteMs,
        bodyTimeout: limits.idleMs,
        keepAliveTimeout: 30_000,
        pipelining: 1,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  request(req: UpstreamRequest, limits: TransportLimits): Promise<Dispatcher.ResponseData> {
    return this.pool(req.url.origin, limits).request({
      path: req.url.pathname + req.url.search,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
    });
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}
