// Pooled HTTP transport: one undici dispatcher per upstream origin and network
// setting (TLS material, proxy), shared by every provider that points there.
// Direct origins get a Pool; proxied ones a ProxyAgent that tunnels with
// CONNECT. undici sets TCP_NODELAY on its sockets and keeps connections alive.
import { Pool, ProxyAgent } from "undici";
import type { Dispatcher } from "undici";
import { proxyFor, type ProxyEnv, type ProxySetting } from "./proxy.js";
import { tlsConnectOptions, type UpstreamTls } from "./upstream-tls.js";

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

/** How one provider reaches its upstreams (absent: direct, Node's trusted CAs, environment proxies). */
export interface UpstreamNetwork {
  /** The provider's API origin: client certificate and pins apply there; other origins (token endpoints) get only the extra CAs. */
  apiOrigin: string;
  tls?: UpstreamTls;
  proxy?: ProxySetting;
}

export interface UpstreamRequest {
  url: URL;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
}

export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();

  /** `env` supplies HTTPS_PROXY / HTTP_PROXY / NO_PROXY (app.ts passes process.env). */
  constructor(private readonly env: ProxyEnv = {}) {}

  /** The dispatcher for a URL; the first caller's limits size it. */
  dispatcher(url: URL, limits: TransportLimits, net?: UpstreamNetwork): Dispatcher {
    const full = net?.apiOrigin === url.origin;
    const proxy = proxyFor(url, net?.proxy, this.env);
    const key = `${url.origin} ${net?.tls ? `${net.tls.id}${full ? "" : "/ca"}` : "-"} ${proxy ?? "-"}`;
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      const tls = { timeout: limits.connectMs, ...tlsConnectOptions(net?.tls, full) };
      const common = { headersTimeout: limits.firstByteMs, bodyTimeout: limits.idleMs, keepAliveTimeout: 30_000, pipelining: 1 };
      dispatcher = proxy
        ? new ProxyAgent({ uri: proxy, requestTls: tls, proxyTls: { timeout: limits.connectMs }, connections: limits.maxConnections, ...common })
        : new Pool(url.origin, { connections: limits.maxConnections, connect: tls, ...common });
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  request(req: UpstreamRequest, limits: TransportLimits, net?: UpstreamNetwork): Promise<Dispatcher.ResponseData> {
    return this.dispatcher(req.url, limits, net).request({
      origin: req.url.origin,
      path: req.url.pathname + req.url.search,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
    });
  }

  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.destroy()));
  }
}
