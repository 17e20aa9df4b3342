/**
 * Input checks of keys and teams (KeysService). Each names the field as the caller wrote it
 * (e.g. "key.models[1]"), the value and what is allowed; they run before anything is written, so
 * a bad request changes nothing.
 */
import picomatch from "picomatch";
import { invalidArgument } from "../budget/errors.js";
import { checkCount, checkPeriod, checkPoolName, isManagedPool } from "../budget/validate.js";
import { KEY_SCOPES, type KeyScope } from "./scopes.js";
import type { BudgetSpec, KeyLimits } from "./types.js";

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const MAX_NAME = 64;
const MAX_PATTERN = 256;
const MAX_PATTERNS = 64;
const METADATA_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const MAX_METADATA = 32;
const MAX_METADATA_KEY = 64;
const MAX_METADATA_VALUE = 512;
/** Longest rotation grace period: 30 days. */
export const MAX_GRACE_MS = 30 * 86_400_000;

export function checkName(value: string, field: string): void {
  if (value === "") throw invalidArgument(field, "is required");
  if (value.length > MAX_NAME || !NAME.test(value)) {
    throw invalidArgument(field, `${JSON.stringify(value.slice(0, MAX_NAME + 8))} is not a valid name; use 1 to ${MAX_NAME} lowercase letters, digits, ".", "_" and "-", starting with a letter or digit`);
  }
}

export function checkScopes(scopes: readonly string[], field: string): KeyScope[] {
  if (scopes.length === 0) throw invalidArgument(field, `is empty; give at least one of: ${KEY_SCOPES.join(", ")}`);
  scopes.forEach((s, i) => {
    if (!(KEY_SCOPES as readonly string[]).includes(s)) throw invalidArgument(`${field}[${i}]`, `${JSON.stringify(s)} is not one of: ${KEY_SCOPES.join(", ")}`);
  });
  return [...new Set(scopes as KeyScope[])];
}

/** Model globs as picomatch reads them: non-empty, printable, brackets and braces balanced. */
export function checkModels(models: readonly string[], field: string): void {
  if (models.length > MAX_PATTERNS) throw invalidArgument(field, `has ${models.length} patterns; at most ${MAX_PATTERNS} are allowed`);
  models.forEach((m, i) => {
    const at = `${field}[${i}]`;
    const bad = (why: string) => invalidArgument(at, `${JSON.stringify(m.slice(0, MAX_PATTERN))} is not a valid model pattern: ${why}; use a model id or a glob such as "gpt-4o*" or "claude-*"`);
    if (m === "") throw bad("it is empty");
    if (m.length > MAX_PATTERN) throw bad(`it is longer than ${MAX_PATTERN} characters`);
    if (/[\s\p{Cc}]/u.test(m)) throw bad("it contains white space or control characters");
    const open = unbalanced(m);
    if (open) throw bad(`"${open}" is not closed`);
    try {
      picomatch.makeRe(m);
    } catch (err) {
      throw bad((err as Error).message);
    }
  });
}

function unbalanced(pattern: string): string | undefined {
  const stack: string[] = [];
  const pairs: Record<string, string> = { "]": "[", "}": "{", ")": "(" };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") i++;
    else if (c === "[" || c === "{" || c === "(") stack.push(c);
    else if (c in pairs) {
      if (stack.pop() !== pairs[c]) return c;
    }
  }
  return stack.pop();
}

export function checkLimits(limits: { rpm?: number | undefined; tpm?: number | undefined; maxConcurrent?: number | undefined }, field: string): KeyLimits {
  const one = (v: number | undefined, name: string): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw invalidArgument(`${field}.${name}`, `${v} is not allowed; must be 1 or more (leave it unset for no limit)`);
  };
  one(limits.rpm, "rpm");
  one(limits.tpm, "tpm");
  one(limits.maxConcurrent, "max_concurrent_requests");
  return { rpm: limits.rpm, tpm: limits.tpm, maxConcurrent: limits.maxConcurrent };
}

/** A budget: tokens and/or usd_micros per period, or a named pool (not both). */
export function checkBudget(b: { tokens?: number | bigint | undefined; usdMicros?: number | bigint | undefined; period: string; pool?: string | undefined }, field: string): BudgetSpec {
  const tokens = b.tokens === undefined ? undefined : checkCount(b.tokens, `${field}.tokens`);
  const usdMicros = b.usdMicros === undefined ? undefined : checkCount(b.usdMicros, `${field}.usd_micros`);
  checkPeriod(b.period, `${field}.period`);
  if (b.pool) {
    if (tokens !== undefined || usdMicros !== undefined) throw invalidArgument(`${field}.pool`, `${JSON.stringify(b.pool)} is set together with tokens or usd_micros; give a named pool or an own capacity, not both`);
    checkPoolName(b.pool, `${field}.pool`);
    if (isManagedPool(b.pool)) throw invalidArgument(`${field}.pool`, `${JSON.stringify(b.pool)} is the pool of another key's or team's own budget; name a pool of [[budgets]] or CreatePool`);
    return { period: b.period, pool: b.pool };
  }
  if (tokens === undefined && usdMicros === undefined) throw invalidArgument(field, "neither tokens nor usd_micros nor pool is set; set one (or leave the budget unset)");
  return { tokens, usdMicros, period: b.period };
}

export function checkMetadata(md: Readonly<Record<string, string>>, field: string): Record<string, string> {
  const entries = Object.entries(md);
  if (entries.length > MAX_METADATA) throw invalidArgument(field, `has ${entries.length} entries; at most ${MAX_METADATA} are allowed`);
  for (const [k, v] of entries) {
    if (k.length > MAX_METADATA_KEY || !METADATA_KEY.test(k)) throw invalidArgument(`${field}[${JSON.stringify(k.slice(0, MAX_METADATA_KEY))}]`, `is not a valid label name; use 1 to ${MAX_METADATA_KEY} letters, digits, ".", "_", "/" and "-"`);
    if (v.length > MAX_METADATA_VALUE) throw invalidArgument(`${field}[${JSON.stringify(k)}]`, `is ${v.length} characters long; at most ${MAX_METADATA_VALUE} are allowed`);
  }
  return { ...md };
}

export function checkExpiry(at: number | undefined, now: number, field: string): void {
  if (at !== undefined && at <= now) throw invalidArgument(field, `${new Date(at).toISOString()} is not in the future`);
}

export function checkGrace(ms: number, field: string): void {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_GRACE_MS) throw invalidArgument(field, `${ms / 1000} s is not allowed; must be 0 to ${MAX_GRACE_MS / 1000} s (30 days)`);
}
