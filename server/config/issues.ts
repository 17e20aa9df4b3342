/**
 * Turns zod issues into ConfigIssues a person can act on: the key path, the bad value (or
 * `<redacted>` for secrets) and what is allowed; did-you-mean suggestions for unknown keys.
 */
import { distance } from "fastest-levenshtein";
import type { z } from "zod";
import { formatPath, type ConfigIssue, type PathSegment } from "./errors.js";
import { isPlainTable, isSecretPath, REDACTED } from "./secrets.js";
import { defOf, unwrap, type Schema } from "./zod-walk.js";

type Issue = z.core.$ZodIssue;

/** The (unwrapped) schema describing the value at `path`, if the path exists in the schema. */
export function schemaAt(root: Schema, path: readonly PathSegment[]): Schema | undefined {
  let cur: Schema | undefined = unwrap(root);
  for (const seg of path) {
    if (!cur) return undefined;
    const d = defOf(cur);
    const next: Schema | undefined =
      d.type === "object" && typeof seg === "string"
        ? d.shape?.[seg]
        : d.type === "array"
          ? d.element
          : d.type === "record"
            ? d.valueType
            : undefined;
    cur = next ? unwrap(next) : undefined;
  }
  return cur;
}

function getAt(tree: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let cur: unknown = tree;
  for (const seg of path) {
    if (typeof seg === "number" ? Array.isArray(cur) && seg < cur.length : isPlainTable(cur) && Object.hasOwn(cur, seg)) {
      cur = (cur as Record<PathSegment, unknown>)[seg];
    } else return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}

/** TOML-flavoured type name of a parsed value. */
export function typeName(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "float";
  if (typeof v === "bigint") return "integer";
  if (typeof v === "boolean") return "boolean";
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "datetime";
  if (isPlainTable(v)) return "table";
  return typeof v;
}

/** Strings that came from `${ENV}`, mapped to their text before expansion. */
export type EnvOrigins = ReadonlyMap<string, string>;

/** A value for an error message; secrets become `<redacted>`, values from the environment their `${NAME}` text. */
export function showValue(v: unknown, path: readonly PathSegment[], fromEnv?: EnvOrigins): string {
  if (isSecretPath(path)) return REDACTED;
  if (typeof v === "string") {
    const shown = fromEnv?.get(v) ?? v;
    return JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}…` : shown);
  }
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return String(v);
  }
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "datetime" : v.toISOString();
  if (Array.isArray(v)) return v.length === 0 ? "[]" : "array";
  if (isPlainTable(v)) return Object.keys(v).length === 0 ? "{}" : "table";
  return String(v);
}

/** `string "80"`, `integer 7`, `array`, `string <redacted>`. */
function typeAndValue(v: unknown, path: readonly PathSegment[], fromEnv?: EnvOrigins): string {
  const t = typeName(v);
  const shown = showValue(v, path, fromEnv);
  return shown === t ? t : `${t} ${shown}`;
}

function expectedName(schema: Schema | undefined, zodExpected: string, path: readonly PathSegment[]): string {
  const d = schema ? defOf(schema) : undefined;
  if (d?.type === "array" && d.element && defOf(unwrap(d.element)).type === "object") {
    const key = path[path.length - 1];
    return path.length === 1 && typeof key === "string" ? `array of tables ([[${key}]])` : "array of tables";
  }
  if (d?.type === "array" && d.element && defOf(unwrap(d.element)).type === "string") return "array of strings";
  if ((schema as { isInt?: boolean } | undefined)?.isInt === true) return "integer";
  switch (zodExpected) {
    case "int":
      return "integer";
    case "object":
    case "record":
      return "table";
    default:
      return zodExpected;
  }
}

const SAFE = Number.MAX_SAFE_INTEGER;

function rangeMessage(v: unknown, schema: Schema | undefined, path: readonly PathSegment[]): string {
  const s = schema as { minValue?: number | null; maxValue?: number | null; isInt?: boolean } | undefined;
  const min = s?.minValue != null && Math.abs(s.minValue) < SAFE ? s.minValue : undefined;
  const max = s?.maxValue != null && Math.abs(s.maxValue) < SAFE ? s.maxValue : undefined;
  const shown = showValue(v, path);
  const kind = s?.isInt === false ? "a number" : "an integer";
  if (min !== undefined && max !== undefined) return `${shown} is not ${kind} in ${min}..${max}`;
  if (min !== undefined) return `${shown} is not ${kind} >= ${min}`;
  if (max !== undefined) return `${shown} is not ${kind} <= ${max}`;
  return `${shown} is not ${kind}`;
}

function enumValues(schema: Schema | undefined): string[] | undefined {
  const d = schema ? defOf(schema) : undefined;
  return d?.type === "enum" && d.entries ? Object.values(d.entries).map(String) : undefined;
}

// ---- unknown keys ------------------------------------------------------------------------

/** Common names people try for a key, mapped to the real key (used only if it is allowed there). */
const SYNONYMS: Readonly<Record<string, string>> = {
  host: "bind",
  address: "bind",
  addr: "bind",
  listen: "bind",
  url: "base_url",
  endpoint: "base_url",
  token: "api_key",
  key: "api_key",
  model: "models",
  timeout: "timeouts",
};

/** The closest allowed key, if it is close enough to be a plausible typo. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  const synonym = SYNONYMS[k];
  if (synonym && allowed.includes(synonym)) return synonym;
  const limit = k.length <= 2 ? 1 : Math.max(2, Math.floor(k.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = distance(k, a.toLowerCase());
    if (d < bestD) {
      best = a;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}

/** Every table in the schema with its TOML header and keys, for "did you mean X in [table]?". */
function tablesOf(root: Schema): { header: string; keys: string[] }[] {
  const out: { header: string; keys: string[] }[] = [];
  const walk = (s: Schema, name: string, arrayOf: boolean): void => {
    const d = defOf(unwrap(s));
    if (d.type === "array" && d.element) return walk(d.element, name, true);
    if (d.type !== "object" || !d.shape) return;
    if (name !== "") out.push({ header: arrayOf ? `[[${name}]]` : `[${name}]`, keys: Object.keys(d.shape) });
    for (const [k, child] of Object.entries(d.shape)) walk(child, name === "" ? k : `${name}.${k}`, false);
  };
  walk(root, "", false);
  return out;
}

function unknownKeyMessage(root: Schema, tree: unknown, parent: readonly PathSegment[], key: string): string {
  const here = schemaAt(root, parent);
  const allowed = here && defOf(here).shape ? Object.keys(defOf(here).shape ?? {}) : [];
  const { value } = getAt(tree, [...parent, key]);
  const isTable = isPlainTable(value) || (Array.isArray(value) && value.length > 0 && value.every(isPlainTable));
  const what = isTable ? "unknown table" : "unknown key";
  const near = closestKey(key, allowed);
  if (near !== undefined) return `${what} (did you mean "${near}"?)`;
  const elsewhere = tablesOf(root).find((t) => t.keys.includes(key.toLowerCase()));
  if (elsewhere) return `${what} (did you mean "${key.toLowerCase()}" in ${elsewhere.header}?)`;
  return `${what} (allowed: ${allowed.join(", ")})`;
}

// ---- one issue -----------------------------------------------------------------------------

function translate(issue: Issue, root: Schema, tree: unknown, fromEnv?: EnvOrigins): ConfigIssue[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: formatPath([...path, key]),
      message: unknownKeyMessage(root, tree, path, key),
    }));
  }
  const at = formatPath(path);
  if (issue.code === "custom") return [{ path: at, message: issue.message }];

  const schema = schemaAt(root, path);
  const { found, value } = getAt(tree, path);
  const last = path[path.length - 1];
  const parent = getAt(tree, path.slice(0, -1));
  if (!found && typeof last === "string" && isPlainTable(parent.value)) {
    const values = enumValues(schema);
    const hint = values
      ? `one of: ${values.join(", ")}`
      : `expected ${expectedName(schema, issue.code === "invalid_type" ? issue.expected : "value", path)}`;
    return [{ path: at, message: `missing required key (${hint})` }];
  }

  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "int" && typeof value === "number") {
        return [{ path: at, message: rangeMessage(value, schema, path) }];
      }
      return [{ path: at, message: `expected ${expectedName(schema, issue.expected, path)}, got ${typeAndValue(value, path, fromEnv)}` }];
    case "invalid_value": {
      const allowed = issue.values.map(String).join(", ");
      return [{ path: at, message: `${showValue(value, path, fromEnv)} is not one of: ${allowed}` }];
    }
    case "too_small":
    case "too_big":
      if (issue.origin === "number" || issue.origin === "int") {
        return [{ path: at, message: rangeMessage(value, schema, path) }];
      }
      if (issue.origin === "array" && issue.code === "too_small") {
        const n = Number(issue.minimum);
        return [{ path: at, message: `expected at least ${n} ${n === 1 ? "entry" : "entries"}, got ${showValue(value, path, fromEnv)}` }];
      }
      if (issue.origin === "string" && issue.code === "too_small" && Number(issue.minimum) === 1) {
        return [{ path: at, message: `expected a non-empty string, got ${showValue(value, path, fromEnv)}` }];
      }
      return [{ path: at, message: `${showValue(value, path, fromEnv)} is too ${issue.code === "too_small" ? "small" : "big"} (${issue.message})` }];
    default:
      return [{ path: at, message: `${showValue(value, path, fromEnv)} is not valid here (${issue.message})` }];
  }
}

/**
 * ConfigIssues for a failed parse: one per key path (the first zod reported), in zod's order.
 * `tree` is the env-expanded TOML the schema was given.
 */
export function issuesFromZod(issues: readonly Issue[], root: Schema, tree: unknown, fromEnv?: EnvOrigins): ConfigIssue[] {
  const seen = new Set<string>();
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    for (const ci of translate(issue, root, tree, fromEnv)) {
      if (seen.has(ci.path)) continue;
      seen.add(ci.path);
      out.push(ci);
    }
  }
  return out;
}
