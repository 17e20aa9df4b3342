/**
 * `${VAR}` expansion in every string value of a parsed TOML tree (before validation).
 *
 *   ${NAME}            value of NAME; an error if NAME is not set (set-but-empty gives "")
 *   ${NAME:-default}   value of NAME, or `default` when NAME is unset or empty (default is literal text)
 *   $${                a literal "${"
 * NAME is [A-Za-z_][A-Za-z0-9_]*. A lone `$` elsewhere is kept as is. Keys are never expanded.
 * The environment is passed in; this module never reads process.env.
 */
import { formatPath, type ConfigIssue, type PathSegment } from "./errors.js";
import { isPlainTable, isSecretPath } from "./secrets.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface ExpandResult {
  /** A new tree; the input is not modified. */
  readonly value: unknown;
  readonly issues: ConfigIssue[];
  /**
   * Each expanded string that took a value from the environment, mapped to its text before
   * expansion (`"${NAME}"`): errors show that text, never the value (nor a cut or escaped piece of it).
   */
  readonly fromEnv: ReadonlyMap<string, string>;
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const SYNTAX_HELP = "use ${NAME} or ${NAME:-default}; write $${ for a literal ${";

export function expandEnv(tree: unknown, env: Env): ExpandResult {
  const issues: ConfigIssue[] = [];
  const fromEnv = new Map<string, string>();
  const walk = (value: unknown, path: PathSegment[]): unknown => {
    if (typeof value === "string") {
      const out = expandString(value, env, path, issues);
      if (out !== value && REFERENCE_NAME_TEST.test(value)) fromEnv.set(out, value);
      return out;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (isPlainTable(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value; // numbers, booleans, dates
  };
  const value = walk(tree, []);
  return { value, issues, fromEnv };
}

/** Expands one string; problems are appended to `issues` (and the string is returned best-effort). */
export function expandString(
  text: string,
  env: Env,
  path: readonly PathSegment[],
  issues: ConfigIssue[],
): string {
  if (!text.includes("$")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      out += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf("}", i + 2);
    const where = formatPath(path);
    if (close < 0) {
      issues.push({ path: where, message: `unterminated "\${" (${SYNTAX_HELP})` });
      return out + text.slice(i);
    }
    const inner = text.slice(i + 2, close);
    const m = REFERENCE.exec(inner);
    if (!m) {
      // Never echo text that sits in a secret value.
      const shown = isSecretPath(path) ? "" : ` "\${${inner}}"`;
      issues.push({ path: where, message: `invalid variable reference${shown} (${SYNTAX_HELP})` });
      i = close + 1;
      continue;
    }
    const name = m[1] as string;
    const fallback = m[2];
    const set = env[name];
    if (fallback !== undefined) out += set === undefined || set === "" ? fallback : set;
    else if (set !== undefined) out += set;
    else issues.push({ path: where, message: `environment variable ${name} is not set` });
    i = close + 1;
  }
  return out;
}

const REFERENCE_NAME = /\$\{([A-Za-z_][A-Za-z0-9_]*)/g;
const REFERENCE_NAME_TEST = /\$\{[A-Za-z_]/;
/** Shorter values are left alone: they are no secret, and replacing them would garble messages. */
const MIN_SCRUBBED = 4;

/**
 * The variables `text` refers to with `${NAME}` or `${NAME:-…}`, and their values in `env`,
 * longest value first: what scrubEnvValues takes out of error messages.
 */
export function referencedValues(text: string, env: Env): Array<[name: string, value: string]> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(REFERENCE_NAME)) {
    const value = env[m[1]!];
    if (value !== undefined && value.length >= MIN_SCRUBBED) out.set(m[1]!, value);
  }
  return [...out].sort((a, b) => b[1].length - a[1].length);
}

/**
 * An error message with every value that came from the environment replaced by `${NAME}`:
 * errors about a config name the variable, never its value (a config sent over
 * ReloadConfig must not read the server's environment back through its errors).
 */
export function scrubEnvValues(message: string, values: ReadonlyArray<readonly [string, string]>): string {
  let out = message;
  for (const [name, value] of values) out = out.split(value).join(`\${${name}}`);
  return out;
}
