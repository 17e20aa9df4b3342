// Tool arguments as the access log and audit chain may show them (only with
// [observability] log_prompts = true): values under names that look like
// credentials are replaced, long strings are cut.
const SECRET_NAME = /pass(word|phrase)?|secret|token|api[-_]?key|auth|cookie|credential|private[-_]?key|session/i;
const MAX_STRING = 512;
const MAX_DEPTH = 8;
export const REDACTED = "<redacted>";

export function redactArguments(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length} chars)` : value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "…";
  if (Array.isArray(value)) return value.map((v) => redactArguments(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_NAME.test(k) ? REDACTED : redactArguments(v, depth + 1);
  return out;
}
