// Upstream error bodies sometimes echo what they were sent ("Incorrect API key provided:
// sk-abc…", a proxy quoting the Authorization header). hoosh relays those bodies in its own
// errors, to clients and logs, so the credentials it sent are cut out first.
const SECRET_HEADER = /auth|key|token|secret|signature|credential|cookie/i;
/** Shorter values are not worth a search (and would redact common words). */
const MIN_SECRET = 6;
const SCHEME = /^(?:bearer|basic|token|apikey)\s+(.+)$/i;

export const REDACTED = "[redacted]";

/** The credential values among request headers: whole values, and the token after an auth scheme. */
export function secretsOf(headers: Readonly<Record<string, string | undefined>>): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!value || !SECRET_HEADER.test(name)) continue;
    const v = value.trim();
    if (v.length >= MIN_SECRET) out.add(v);
    const token = SCHEME.exec(v)?.[1]?.trim();
    if (token && token.length >= MIN_SECRET) out.add(token);
  }
  // Longest first, so a whole "Bearer sk-…" goes before the token inside it.
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every secret (and its URL-encoded form) replaced by [redacted]. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
    const encoded = encodeURIComponent(s);
    if (encoded !== s && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
  }
  return out;
}
