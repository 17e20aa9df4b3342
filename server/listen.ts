// The one port: HTTP/2 cleartext (gRPC, gRPC-Web, Connect) and HTTP/1.1
// (Connect, gRPC-Web, REST) on the same socket. Node 20's cleartext HTTP/2
// server rejects HTTP/1.1, so a net.Server reads the first bytes and hands the
// socket to the right server: "PRI " starts the HTTP/2 preface and no HTTP/1 method.
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { releaseUnreadBody } from "./unread-body.js";

export type RequestHandler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;

export interface Listener {
  port: number;
  address: string;
  /**
   * Stops accepting, lets in-flight calls finish for up to graceMs, then calls
   * onGraceExpired (so handlers can end their calls with a status), waits a
   * moment more, and cuts what is left.
   */
  close(graceMs: number, onGraceExpired?: () => void): Promise<void>;
  /** Calls in flight right now (unary and streams). */
  inFlight(): number;
}

const H2_PREFIX = Buffer.from("PRI ");
/** After the grace period, how long handlers get to send their final status. */
const FINAL_STATUS_MS = 1_000;
/** A connection must say which protocol it speaks within this time. */
const SNIFF_TIMEOUT_MS = 10_000;

export interface ListenLimits {
  /** Largest request header block: HTTP/1.1 answers 431, HTTP/2 refuses the stream (server.max_header_bytes). */
  maxHeaderBytes?: number;
  /** HTTP/2 streams one connection may have open at once; more are refused (server.max_concurrent_streams). */
  maxConcurrentStreams?: number;
}

export async function listen(handler: RequestHandler, bind: string, port: number, limits: ListenLimits = {}): Promise<Listener> {
  let active = 0;
  let idle: (() => void) | undefined;
  const counted: RequestHandler = (req, res) => {
    active++;
    res.once("close", () => {
      active--;
      if (active === 0) idle?.();
    });
    releaseUnreadBody(req, res);
    handler(req, res);
  };

  const h1 = http.createServer({ maxHeaderSize: limits.maxHeaderBytes }, counted as http.RequestListener);
  // Advertised in SETTINGS and enforced by nghttp2: a stream over the limit is refused (RST_STREAM REFUSED_STREAM).
  const settings: http2.Settings = {};
  if (limits.maxHeaderBytes !== undefined) settings.maxHeaderListSize = limits.maxHeaderBytes;
  if (limits.maxConcurrentStreams !== undefined) settings.maxConcurrentStreams = limits.maxConcurrentStreams;
  const h2 = http2.createServer({ settings }, counted as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (s) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });

  // noDelay: sockets accepted here never pass through http.Server's own accept path, which is what
  // turns Nagle off for plain Node HTTP servers; without it a small write (an SSE event, a gRPC
  // trailer) that follows another unacknowledged one waits for the client's delayed ACK (~40 ms).
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let head = Buffer.alloc(0);
    const silent = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
    const sniff = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < H2_PREFIX.length && H2_PREFIX.subarray(0, head.length).equals(head)) return; // need more bytes
      clearTimeout(silent);
      socket.off("data", sniff);
      socket.pause();
      socket.unshift(head);
      if (head.subarray(0, H2_PREFIX.length).equals(H2_PREFIX)) {
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", sniff);
    socket.once("close", () => clearTimeout(silent));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: bind, port }, () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    port: address.port,
    address: address.address,
    inFlight: () => active,
    async close(graceMs, onGraceExpired) {
      server.close();
      h1.close();
      h1.closeIdleConnections();
      // GOAWAY: clients open no new streams; open ones may finish.
      for (const s of sessions) s.close();
      const drained = new Promise<void>((resolve) => {
        if (active === 0) resolve();
        else idle = resolve;
      });
      let timer: NodeJS.Timeout | undefined;
      const after = (ms: number) => new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
      await Promise.race([drained, after(graceMs)]);
      clearTimeout(timer);
      if (active > 0 && onGraceExpired) {
        onGraceExpired();
        await Promise.race([drained, after(FINAL_STATUS_MS)]);
        clearTimeout(timer);
      }
      // Streams still open after the grace period are cut explicitly (RST CANCEL), not ended.
      for (const s of sessions) s.destroy(undefined, http2.constants.NGHTTP2_CANCEL);
      for (const socket of sockets) socket.destroy();
    },
  };
}
