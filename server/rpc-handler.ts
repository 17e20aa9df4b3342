// The one construction of the port's request handler: the Connect router
// (gRPC, gRPC-Web binary and text, and Connect over HTTP/1.1 and h2c; rpc/node-adapter.ts)
// over the given routes,
// with the fallback (REST edges, then 404) for every other path, and in front
// of it the gRPC unary fast path (rpc/unary-fast-path.ts), which serves plain
// gRPC unary calls without Connect's streaming plumbing. `hoosh serve`
// (server/lifecycle) and the Connect conformance server (test/conformance)
// both build it here, so whatever this function serves is what the
// conformance suite checks.
import type { Interceptor } from "@connectrpc/connect";
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import { withCors, type CorsConfig } from "./cors.js";
import { withHostCheck } from "./host-check.js";
import type { RequestHandler } from "./listen.js";
import { createNodeAdapter } from "./rpc/node-adapter.js";
import { createUnaryFastPath } from "./rpc/unary-fast-path.js";

export interface RpcHandlerOptions {
  routes: ConnectNodeAdapterOptions["routes"];
  interceptors?: Interceptor[];
  /** Requests no route matched (hoosh: the REST edges chained before notFoundFallback). */
  fallback: NonNullable<ConnectNodeAdapterOptions["fallback"]>;
  /** Largest request message, after decompression (server.max_body_bytes): larger is RESOURCE_EXHAUSTED. */
  readMaxBytes: number;
  /** Aborted when the shutdown grace period ends: calls still running end with its reason. */
  shutdownSignal?: AbortSignal;
  /** JSON codec options, e.g. a registry for google.protobuf.Any fields. */
  jsonOptions?: ConnectNodeAdapterOptions["jsonOptions"];
  /** [server.cors]: preflight and CORS headers on every surface; off when unset. */
  cors?: CorsConfig;
  /** Host header values served (host-check.ts allowedHostsFor); undefined: any. */
  allowedHosts?: readonly string[];
}

export function createRpcHandler(options: RpcHandlerOptions): RequestHandler {
  const connect = createNodeAdapter({
    routes: options.routes,
    interceptors: options.interceptors,
    fallback: options.fallback,
    readMaxBytes: options.readMaxBytes,
    shutdownSignal: options.shutdownSignal,
    jsonOptions: options.jsonOptions,
  });
  const fast = createUnaryFastPath(options);
  return withHostCheck(
    options.allowedHosts,
    options.cors?.allowed_origins ?? [],
    withCors(options.cors, (req, res) => {
      if (!fast(req, res)) connect(req, res);
    }),
  );
}
