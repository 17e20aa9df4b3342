// CORS for every surface on the port (gRPC-Web, Connect, OpenAI/Anthropic REST, /hoosh/v1, MCP):
// off unless [server.cors] lists origins. A preflight (OPTIONS with Access-Control-Request-Method)
// from an allowed origin is answered here, 204, before any route; a disallowed origin gets no CORS
// headers (the browser then refuses the answer). Every answer to an allowed origin exposes the
// headers hoosh's clients read: gRPC status and details, request ids, x-hoosh-*, Retry-After.
import type http from "node:http";
import type http2 from "node:http2";
import type { Config } from "./config/index.js";
import type { RequestHandler } from "./listen.js";

export type CorsConfig = NonNullable<Config["server"]["cors"]>;

/** Response headers a browser script may read (x-hoosh-* listed one by one: CORS has no wildcard with credentials). */
export const EXPOSED_HEADERS = [
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "x-request-id",
  "request-id",
  "retry-after",
  "x-hoosh-provider",
  "x-hoosh-cache",
  "x-hoosh-attempts",
  "x-hoosh-overhead-ms",
  "x-hoosh-ignored-params",
];

/** Request headers hoosh's own surfaces use, always allowed besides the configured ones. */
const BASE_HEADERS = [
  "authorization",
  "content-type",
  "x-api-key",
  "x-grpc-web",
  "x-user-agent",
  "grpc-timeout",
  "connect-protocol-version",
  "connect-timeout-ms",
  "x-request-id",
  "anthropic-version",
  "mcp-session-id",
  "mcp-protocol-version",
];

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

export function withCors(cors: CorsConfig | undefined, next: RequestHandler): RequestHandler {
  if (!cors || cors.allowed_origins.length === 0) return next;
  const anyOrigin = cors.allowed_origins.includes("*");
  const origins = new Set(cors.allowed_origins.map((o) => o.toLowerCase()));
  const methods = cors.allowed_methods.join(", ");
  const headers = [...new Set([...BASE_HEADERS, ...cors.allowed_headers.map((h) => h.toLowerCase())])].join(", ");
  const exposed = EXPOSED_HEADERS.join(", ");
  return (req: Req, res: Res) => {
    const origin = req.headers.origin;
    if (typeof origin !== "string" || !(anyOrigin || origins.has(origin.toLowerCase()))) return next(req, res);
    res.setHeader("access-control-allow-origin", anyOrigin ? "*" : origin);
    res.setHeader("vary", "Origin");
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      res.writeHead(204, {
        "access-control-allow-methods": methods,
        "access-control-allow-headers": headers,
        "access-control-max-age": String(cors.max_age_seconds),
        "content-length": "0",
      });
      res.end();
      return;
    }
    res.setHeader("access-control-expose-headers", exposed);
    next(req, res);
  };
}
