// DNS rebinding protection: a web page on another site must not reach a hoosh
// on this machine through a name that resolves to loopback (the browser then
// sends that name as Host, and treats the answer as same-origin). With a
// loopback server.bind, every request's Host must be localhost, 127.0.0.1 or
// [::1] (any port) unless [server] allowed_hosts lists others; on any other bind,
// any host (keys guard a network-facing hoosh). While the Host check is on, a browser's Origin
// header must name hoosh too, or a [server.cors] origin. /mcp has its own lists
// ([mcp] allowed_hosts / allowed_origins).
import type http from "node:http";
import type http2 from "node:http2";
import { isLoopback } from "./auth/limits.js";
import type { RequestHandler } from "./listen.js";
import { discardBody, writeText } from "./rest/http-io.js";

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

export type HostCheck = (host: string | undefined, origin: string | undefined) => string | undefined;

/** The hosts a request may name: the configured list, else the loopback names on a loopback bind, else any (undefined). */
export function allowedHostsFor(bind: string, configured: readonly string[] | undefined): readonly string[] | undefined {
  return configured ?? (isLoopback(bind) ? LOOPBACK_HOSTS : undefined);
}

/** The hostname of a Host header value ("[::1]:8088" → "[::1]", "a:80" → "a"), lower case. */
function hostname(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.lastIndexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * A test of Host (or origin) values against a list: an entry equal to the value, or a bare name
 * ("localhost", "[::1]") matching the value's hostname on any port. Lower-cased once: on the
 * port-wide check it runs for every request.
 */
function matcher(list: readonly string[]): (value: string) => boolean {
  const entries = list.map((e) => e.toLowerCase());
  return (value) => {
    const v = value.toLowerCase();
    const name = hostname(v);
    return entries.some((e) => e === v || (!e.includes(":") && name === e) || (e.startsWith("[") && !e.includes("]:") && name === e));
  };
}

function hostRefusal(allowed: (host: string) => boolean, host: string | undefined, setting: string): string | undefined {
  if (!host) return "the request has no Host header";
  if (!allowed(host)) return `Host ${JSON.stringify(host)} is not allowed here (${setting} allowed_hosts)`;
  return undefined;
}

/** /mcp's check: Host, and Origin when sent. Returns why a request is refused (403), or undefined. */
export function hostCheck(bind: string, allowedHosts: readonly string[] | undefined, allowedOrigins: readonly string[] | undefined): HostCheck {
  const hosts = allowedHostsFor(bind, allowedHosts);
  const origins = allowedOrigins ?? hosts;
  const hostAllowed = hosts && matcher(hosts);
  const originAllowed = origins && matcher(origins);
  return (host, origin) => {
    if (hostAllowed) {
      const refused = hostRefusal(hostAllowed, host, "[mcp]");
      if (refused) return refused;
    }
    if (origin !== undefined && originAllowed) {
      if (origin === "null") return "Origin null (a sandboxed or file page) is not allowed here";
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        return `Origin ${JSON.stringify(origin)} is not a URL`;
      }
      if (!originAllowed(origin) && !originAllowed(originHost)) return `Origin ${JSON.stringify(origin)} is not allowed here ([mcp] allowed_origins)`;
    }
    return undefined;
  };
}

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

function hostOf(req: Req): string | undefined {
  const h = req.headers.host ?? req.headers[":authority"];
  return typeof h === "string" ? h : undefined;
}

/**
 * Every surface on the port behind the Host check, and, while it is on, an Origin check: a page on
 * another site may still send "simple" requests (a multipart upload, a form) to 127.0.0.1 under
 * hoosh's real name; browsers mark them with its Origin, which must be hoosh's own or a CORS origin.
 * A refused request gets 403 with the reason (gRPC clients read an HTTP 403 as PERMISSION_DENIED)
 * and its body is discarded unread.
 */
export function withHostCheck(hosts: readonly string[] | undefined, corsOrigins: readonly string[], next: RequestHandler): RequestHandler {
  if (!hosts) return next;
  const hostAllowed = matcher(hosts);
  const anyOrigin = corsOrigins.includes("*");
  const cors = new Set(corsOrigins.map((o) => o.toLowerCase()));
  const originRefusal = (origin: string): string | undefined => {
    if (anyOrigin || cors.has(origin.toLowerCase())) return undefined;
    if (URL.canParse(origin) && hostAllowed(new URL(origin).host)) return undefined;
    return `Origin ${JSON.stringify(origin)} is not allowed here (a page's origin must be hoosh's own or listed in [server.cors] allowed_origins)`;
  };
  return (req: Req, res: Res) => {
    const origin = req.headers.origin;
    const refused = hostRefusal(hostAllowed, hostOf(req), "[server]") ?? (typeof origin === "string" ? originRefusal(origin) : undefined);
    if (!refused) return next(req, res);
    discardBody(req);
    writeText(res, 403, JSON.stringify({ error: { code: "permission_denied", message: `Forbidden: ${refused}` } }), "application/json");
  };
}
