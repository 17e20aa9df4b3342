/**
 * What the request log keeps of prompts and answers ([log] payloads = true): the text with every
 * match of the redaction patterns replaced, cut to a length. The patterns are compiled once, when
 * the app is built: built-in ones for common secrets (provider and hoosh API keys, bearer tokens,
 * AWS access key ids, private key blocks) and those of [log] redact.
 */
export const REDACTED = "[REDACTED]";

export const BUILTIN_PATTERNS: readonly string[] = [
  "\\bsk-[A-Za-z0-9_-]{16,}",
  "\\bhk_[A-Za-z0-9_-]{20,}",
  "\\b[Bb]earer\\s+[A-Za-z0-9._~+/=-]{8,}",
  "\\bAKIA[0-9A-Z]{16}\\b",
  "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----",
];

export class Redactor {
  private readonly patterns: RegExp[];

  /** `patterns`: JavaScript regular expressions (checked by the config schema), applied after the built-in ones. */
  constructor(
    patterns: readonly string[],
    private readonly maxChars: number,
  ) {
    this.patterns = [...BUILTIN_PATTERNS, ...patterns].map((p) => new RegExp(p, "g"));
  }

  redact(text: string): string {
    let out = text;
    for (const p of this.patterns) out = out.replace(p, REDACTED);
    return out.length > this.maxChars ? `${out.slice(0, this.maxChars)}…(${out.length} chars)` : out;
  }
}
