/**
 * ConfigError: every problem found while reading hoosh.toml, reported together.
 *
 * Each issue renders as exactly one line, `<source>: <path>: <message>`, e.g.
 *   hoosh.toml: providers[1].type: "opnai" is not one of: openai, anthropic, gemini, ollama, azure, bedrock, vertex, …
 * Paths look like `server.port`, `providers[1].type`, `providers[0].headers."X Odd"`; the root is `(root)`.
 * Messages never contain secret values (api_key, header values): see issues.ts.
 */

export type PathSegment = string | number;

export interface ConfigIssue {
  /** Key path in TOML terms (`providers[1].type`), `(root)`, or a location such as `line 3, column 7`. */
  readonly path: string;
  /** What is wrong: names the bad value (unless secret) and what is allowed. One line. */
  readonly message: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Where the configuration came from: a file path or a label such as `embedded default.toml`. */
  readonly source: string;
  readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[]) {
    const clean = issues.map((i) => ({ path: oneLine(i.path), message: oneLine(i.message) }));
    super(clean.map((i) => `${oneLine(source)}: ${i.path}: ${i.message}`).join("\n"));
    this.source = source;
    this.issues = clean;
  }
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** `["providers", 1, "type"]` → `providers[1].type`; `[]` → `(root)`. Odd keys are quoted as in TOML. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = BARE_KEY.test(seg) ? seg : JSON.stringify(seg);
      out += out === "" ? key : `.${key}`;
    }
  }
  return out === "" ? "(root)" : out;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}
