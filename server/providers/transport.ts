// Pooled HTTP transport: one undici dispatcher per upstream origin and network
// setting (TLS material, proxy), shared by every provider that points there.
// Direct origins get a Pool; proxied ones a ProxyAgent that tunnels with
// CONNECT. undici sets TCP_NODELAY on its sockets and keeps connections alive.
import type { ConnectionOptions } from "node:tls";
import { buildConnector, Pool, ProxyAgent } from "undici";
import type { Dispatcher } from "undici";
import { proxyFor, type ProxyEnv, type ProxySetting } from "./proxy.js";
import { CLOSED_AFTER_HANDSHAKE, tlsConnectOptions, type UpstreamTls } from "./upstream-tls.js";

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

/** What a socket showed that undici's "other side closed" hides: a TLS alert, or that it presented a client certificate. */
interface SocketTrace {
  alert?: Error;
  clientCert: boolean;
}
interface SocketInfo {
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
}
const traceKey = (s: SocketInfo) => `${s.localPort} ${s.remoteAddress}:${s.remotePort}`;

/** Traces kept for explaining errors (the newest; an error is explained right after its socket closed). */
const MAX_TRACES = 256;

export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly byRoute = new Map<string, Dispatcher>();
  /** By "localPort remoteAddress:remotePort" (Linux may reuse a local port towards another destination). */
  private readonly traces = new Map<string, SocketTrace>();

  /** `env` supplies HTTPS_PROXY / HTTP_PROXY / NO_PROXY (app.ts passes process.env). */
  constructor(private readonly env: ProxyEnv = {}) {}

  /** The dispatcher for a URL; the first caller's limits size it. */
  dispatcher(url: URL, limits: TransportLimits, net?: UpstreamNetwork): Dispatcher {
    // Per request: one lookup by what decides the dispatcher (the proxy choice is made once per origin).
    const fast = `${url.origin} ${net?.tls?.id ?? "-"} ${net?.apiOrigin ?? "-"} ${net?.proxy ?? "-"}`;
    const known = this.byRoute.get(fast);
    if (known) return known;
    const dispatcher = this.build(url, limits, net);
    this.byRoute.set(fast, dispatcher);
    return dispatcher;
  }

  private build(url: URL, limits: TransportLimits, net?: UpstreamNetwork): Dispatcher {
    const full = net?.apiOrigin === url.origin;
    const proxy = proxyFor(url, net?.proxy, this.env);
    const key = `${url.origin} ${net?.tls ? `${net.tls.id}${full ? "" : "/ca"}` : "-"} ${proxy ?? "-"}`;
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      const tls = { timeout: limits.connectMs, ...tlsConnectOptions(net?.tls, full) };
      const common = { headersTimeout: limits.firstByteMs, bodyTimeout: limits.idleMs, keepAliveTimeout: 30_000, pipelining: 1 };
      dispatcher = proxy
        ? new ProxyAgent({ uri: proxy, requestTls: tls, proxyTls: { timeout: limits.connectMs }, connections: limits.maxConnections, ...common })
        : new Pool(url.origin, { connections: limits.maxConnections, connect: this.connector(tls), ...common });
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  request(req: UpstreamRequest, limits: TransportLimits, net?: UpstreamNetwork): Promise<Dispatcher.ResponseData> {
    return this.dispatcher(req.url, limits, net)
      .request({
        origin: req.url.origin,
        path: req.url.pathname + req.url.search,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      })
      .catch((err: unknown) => {
        throw this.explain(err);
      });
  }

  /**
   * undici's connector, watching each TLS socket: under TLS 1.3 a server
   * refuses a client certificate after the client's side of the handshake is
   * done, and undici then reports only "other side closed".
   */
  private connector(tls: ConnectionOptions): buildConnector.connector {
    const connect = buildConnector(tls as buildConnector.BuildOptions);
    const clientCert = tls.cert !== undefined;
    return (options, callback) =>
      connect(options, (err, socket) => {
        if (socket && socket.localPort !== undefined && "encrypted" in socket) {
          const key = traceKey(socket);
          const trace: SocketTrace = { clientCert };
          this.traces.delete(key);
          this.traces.set(key, trace);
          if (this.traces.size > MAX_TRACES) this.traces.delete(this.traces.keys().next().value!);
          socket.on("error", (e: NodeJS.ErrnoException) => {
            if (e.code?.startsWith("ERR_SSL_")) trace.alert = e;
          });
        }
        if (err) callback(err, null);
        else callback(null, socket!);
      });
  }

  /** Adds what the socket showed as the error's cause, for describeTlsFailure. */
  private explain(err: unknown): unknown {
    const e = err as { code?: string; socket?: SocketInfo & { bytesRead?: number }; cause?: unknown };
    const trace = e?.code === "UND_ERR_SOCKET" && e.socket?.localPort !== undefined ? this.traces.get(traceKey(e.socket)) : undefined;
    if (!trace || e.cause !== undefined) return err;
    if (trace.alert) e.cause = trace.alert;
    else if (trace.clientCert && e.socket?.bytesRead === 0) e.cause = Object.assign(new Error("the upstream closed the connection right after the TLS handshake, before answering"), { code: CLOSED_AFTER_HANDSHAKE });
    return err;
  }

  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    this.byRoute.clear();
    await Promise.all(all.map((d) => d.destroy()));
  }
}
