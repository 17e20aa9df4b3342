// Type checks for request JSON fields. Each failure is InvalidArgument naming
// the field (Anthropic's names and indexes), the value and what is expected.
import { invalidArgument, showValue } from "../../core/errors.js";

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const wrongType = (field: string, value: unknown, expected: string) =>
  invalidArgument(field, `${showValue(value)} is not ${expected}`);

export function object(field: string, value: unknown): Json {
  if (!isObject(value)) throw wrongType(field, value, "an object");
  return value;
}

export function string(field: string, value: unknown): string {
  if (typeof value !== "string") throw wrongType(field, value, "a string");
  return value;
}

export function optionalString(field: string, value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : string(field, value);
}

export function requiredString(field: string, value: unknown, example: string): string {
  if (value === undefined || value === null) throw invalidArgument(field, `is required (e.g. ${JSON.stringify(example)})`);
  const s = string(field, value);
  if (s.trim() === "") throw invalidArgument(field, `is empty (e.g. ${JSON.stringify(example)})`);
  return s;
}

export function optionalBool(field: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw wrongType(field, value, "a boolean (true or false)");
  return value;
}

export function optionalNumber(field: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(field, value, `a number (${min}..${max})`);
  if (value < min || value > max) throw invalidArgument(field, `${showValue(value)} is out of range; allowed: ${min}..${max}`);
  return value;
}

export function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(field, value, `an integer (${min}..${max})`);
  if (value < min || value > max) throw invalidArgument(field, `${showValue(value)} is out of range; allowed: ${min}..${max}`);
  return value;
}

export function array(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw wrongType(field, value, "an array");
  return value;
}

/** The block's "type", checked against the allowed ones. */
export function blockType<T extends string>(field: string, block: unknown, allowed: readonly T[]): T {
  const b = object(field, block);
  const type = b.type;
  if (typeof type !== "string") throw invalidArgument(`${field}.type`, `is ${type === undefined ? "required" : `${showValue(type)}, not a string`}; use one of: ${allowed.join(", ")}`);
  if (!(allowed as readonly string[]).includes(type)) {
    throw invalidArgument(`${field}.type`, `${showValue(type)} is not supported here; use one of: ${allowed.join(", ")}`);
  }
  return type as T;
}
