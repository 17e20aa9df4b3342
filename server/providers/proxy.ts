// Which HTTP(S) proxy an upstream request goes through: the provider's `proxy`
// key, else the standard environment (HTTPS_PROXY / HTTP_PROXY, minus the hosts
// NO_PROXY lists), as curl and most HTTP clients read them. Like Go's
// net/http, the environment never proxies loopback hosts (a local model server
// stays local); a provider's own `proxy` key still does.
import { isIP } from "node:net";

/** A provider's `proxy` key: a URL, "none" (never a proxy, whatever the environment says), or unset (the environment). */
export type ProxySetting = string | undefined;

export type ProxyEnv = Record<string, string | undefined>;

const pick = (env: ProxyEnv, name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;

/** The proxy URL for a request to `url`, or undefined for a direct connection. */
export function proxyFor(url: URL, setting: ProxySetting, env: ProxyEnv): string | undefined {
  if (setting === "none") return undefined;
  if (setting !== undefined) return setting;
  const proxy = url.protocol === "https:" ? (pick(env, "https_proxy") ?? pick(env, "all_proxy")) : (pick(env, "http_proxy") ?? pick(env, "all_proxy"));
  if (!proxy || isLoopback(url.hostname)) return undefined;
  return bypassed(url, pick(env, "no_proxy") ?? "") ? undefined : proxy;
}

/**
 * NO_PROXY: comma- or space-separated entries; "*" matches everything; an
 * entry matches the host itself and its subdomains (a leading "." or "*." is
 * the same); "host:port" matches only that port; IP literals match exactly.
 */
export function bypassed(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!m) continue;
    const name = m[1]!.replace(/^\[|\]$/g, "").replace(/^\*?\./, "");
    if (m[2] !== undefined && m[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  return (isIP(host) === 4 && host.startsWith("127.")) || (isIP(host) === 6 && host === "::1");
}
