/**
 * Which configuration values are secrets, and how to keep them out of error messages.
 *
 * Secret keys: `api_key`, `audit_key`, everything under `headers` (header values carry tokens),
 * `credentials` (cloud keys, service-account JSON), `proxy` (its URL may carry a password) and
 * `env` (an MCP server's environment).
 * Error messages show `<redacted>` in place of such values; as a second guard, any secret string
 * found in the document is scrubbed from the final messages (see `scrubSecrets`).
 */
import type { PathSegment } from "./errors.js";

export const REDACTED = "<redacted>";

const SECRET_KEYS: ReadonlySet<string> = new Set(["api_key", "headers", "audit_key", "credentials", "proxy", "env"]);

/** True when the value at this path (or any table/array containing it) is a secret. */
export function isSecretPath(segments: readonly PathSegment[]): boolean {
  return segments.some((s) => typeof s === "string" && SECRET_KEYS.has(s));
}

/** Shorter strings are too likely to collide with ordinary message text to scrub safely. */
const MIN_SCRUB_LENGTH = 6;

/** Every string value stored under a secret key anywhere in the (env-expanded) TOML tree. */
export function collectSecrets(tree: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, path: PathSegment[]): void => {
    if (typeof value === "string") {
      if (isSecretPath(path) && value.length >= MIN_SCRUB_LENGTH) found.add(value);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
    } else if (isPlainTable(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  walk(tree, []);
  // Longest first, so a secret containing another secret is replaced whole.
  return [...found].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of each secret in `text` with `<redacted>`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}

/** A URL for an error message: userinfo and query (e.g. Gemini's `?key=`) replaced by `<redacted>`. */
export function maskUrl(url: URL): string {
  const copy = new URL(url.href);
  const hadUserinfo = copy.username !== "" || copy.password !== "";
  const hadQuery = copy.search !== "";
  copy.username = "";
  copy.password = "";
  copy.search = "";
  let text = copy.href;
  if (hadUserinfo) text = text.replace("://", `://${REDACTED}@`);
  if (hadQuery) text += `?${REDACTED}`;
  return text;
}

export function isPlainTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
