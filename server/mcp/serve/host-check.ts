// DNS rebinding protection for /mcp: a web page on another site must not reach
// an MCP endpoint on this machine through a name that resolves to loopback.
// The Host header must be an allowed host, and an Origin header, when sent, an
// allowed origin. Defaults: with a loopback server.bind, localhost, 127.0.0.1
// and [::1] (any port); otherwise any host (keys guard a network-facing hoosh).
import { isLoopback } from "../../auth/limits.js";

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

export type HostCheck = (host: string | undefined, origin: string | undefined) => string | undefined;

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

function matches(list: readonly string[], value: string): boolean {
  const v = value.toLowerCase();
  return list.some((entry) => {
    const e = entry.toLowerCase();
    return e === v || (!e.includes(":") && hostname(v) === e) || (e.startsWith("[") && !e.includes("]:") && hostname(v) === e);
  });
}

/** Returns why a request is refused (403), or undefined when it may proceed. */
export function hostCheck(bind: string, allowedHosts: readonly string[] | undefined, allowedOrigins: readonly string[] | undefined): HostCheck {
  const hosts = allowedHosts ?? (isLoopback(bind) ? LOOPBACK_HOSTS : undefined);
  const origins = allowedOrigins ?? hosts;
  return (host, origin) => {
    if (hosts) {
      if (!host) return "the request has no Host header";
      if (!matches(hosts, host)) return `Host ${JSON.stringify(host)} is not allowed here ([mcp] allowed_hosts)`;
    }
    if (origin !== undefined && origins) {
      if (origin === "null") return "Origin null (a sandboxed or file page) is not allowed here";
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        return `Origin ${JSON.stringify(origin)} is not a URL`;
      }
      if (!matches(origins, origin) && !matches(origins, originHost)) return `Origin ${JSON.stringify(origin)} is not allowed here ([mcp] allowed_origins)`;
    }
    return undefined;
  };
}
