// Typed readers for fields of OpenAI request JSON. Every failure is a 400
// naming the field by its OpenAI path, the value and what is allowed.
import { showValue } from "../../core/errors.js";
import { HttpError } from "../http-io.js";
import type { Json } from "./wire.js";

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** 400 invalid_request_error with `param`; the message starts with the field name. */
export function invalid(param: string, message: string, code: string | null = "invalid_value"): HttpError {
  return new HttpError(400, `${param}: ${message}`, { param, ...(code ? { code } : {}) });
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `a string (${showValue(v)})`;
  return `a ${typeof v} (${showValue(v)})`;
}

export function wrongType(param: string, expected: string, value: unknown): HttpError {
  return invalid(param, `expected ${expected}, got ${kind(value)}`, "invalid_type");
}

export function missing(param: string, hint = ""): HttpError {
  return invalid(param, `is required${hint ? ` (${hint})` : ""}`, "missing_required_parameter");
}

/** Reads fields of one JSON object; `prefix` makes the names full paths ("messages[2]."). */
export class Fields {
  constructor(
    readonly obj: Json,
    readonly prefix = "",
  ) {}

  path(key: string): string {
    return this.prefix + key;
  }

  /** The raw value; null counts as absent, as OpenAI treats it. */
  raw(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === "string") return v;
    throw wrongType(this.path(key), "a string", v);
  }

  requiredString(key: string, hint = ""): string {
    const v = this.string(key);
    if (v === undefined) throw missing(this.path(key), hint);
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === "boolean") return v;
    throw wrongType(this.path(key), "a boolean", v);
  }

  number(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined || (typeof v === "number" && Number.isFinite(v))) return v;
    throw wrongType(this.path(key), "a number", v);
  }

  /** An integer in min..max. */
  integer(key: string, min: number, max: number): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) throw wrongType(this.path(key), "an integer", v);
    if (v < min || v > max) throw invalid(this.path(key), `${v} is out of range; allowed: ${min}..${max}`);
    return v;
  }

  object(key: string): Json | undefined {
    const v = this.raw(key);
    if (v === undefined || isObject(v)) return v;
    throw wrongType(this.path(key), "an object", v);
  }

  array(key: string): unknown[] | undefined {
    const v = this.raw(key);
    if (v === undefined || Array.isArray(v)) return v;
    throw wrongType(this.path(key), "an array", v);
  }

  /** A string from a fixed set. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.string(key);
    if (v === undefined || (allowed as readonly string[]).includes(v)) return v as T | undefined;
    throw invalid(this.path(key), `${showValue(v)} is not one of: ${allowed.join(", ")}`);
  }

  /** Fields of a nested object, when present. */
  nested(key: string): Fields | undefined {
    const v = this.object(key);
    return v === undefined ? undefined : new Fields(v, `${this.path(key)}.`);
  }
}

/** The element at `path` as Fields, or a 400 when it is not an object. */
export function fieldsAt(value: unknown, path: string): Fields {
  if (!isObject(value)) throw wrongType(path, "an object", value);
  return new Fields(value, `${path}.`);
}
