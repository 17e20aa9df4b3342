// A zod issue of a JSON request body as one line a person can act on, in the style of the config
// errors (config/issues.ts) but in JSON terms: the field path (`messages[0].role`), the bad value
// and what is allowed. Schemas add what zod cannot know through meta(): `expected` ("an array of
// messages") for type errors and `hint` ('e.g. "gpt-4o-mini"') for missing fields.
import type { z } from "zod";
import { showValue } from "../core/errors.js";
import { defOf, unwrap, type Schema } from "../config/zod-walk.js";

type Issue = z.core.$ZodIssue;
type Segment = PropertyKey;

export interface BodyIssue {
  /** JSON path of the field, e.g. `messages[0].content[1].type`; "body" for the body itself. */
  field: string;
  message: string;
  /** INVALID_TYPE, MISSING, INVALID_VALUE (and what custom checks say). */
  reason: string;
}

export interface FieldMeta {
  /** "an array of messages": how a type error names what was expected. */
  expected?: string;
  /** 'e.g. "gpt-4o-mini"': added to "is required". */
  hint?: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `["messages", 0, "role"]` → `messages[0].role`; odd keys as `metadata["odd key"]`. */
export function jsonPath(path: readonly Segment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = String(seg);
      out += PLAIN_KEY.test(key) ? (out === "" ? key : `.${key}`) : `[${JSON.stringify(key.slice(0, 64))}]`;
    }
  }
  return out === "" ? "body" : out;
}

/** "a string ("hot")", "a number (7)", "an array", "an object", "null". */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `a ${typeof v} (${showValue(v)})`;
}

const ZOD_EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  record: "an object",
  null: "null",
};

/** The meta() of the schema at `path` (searching the wrappers too), if the path leads through objects, arrays and records. */
function metaAt(root: Schema, path: readonly Segment[]): { meta: FieldMeta; schema: Schema | undefined } {
  let cur: Schema | undefined = root;
  for (const seg of path) {
    if (!cur) break;
    const d = defOf(unwrap(cur));
    cur = d.type === "object" && typeof seg === "string" ? d.shape?.[seg] : d.type === "array" ? d.element : d.type === "record" ? d.valueType : undefined;
  }
  if (!cur) return { meta: {}, schema: undefined };
  let meta: FieldMeta = {};
  for (let s: Schema | undefined = cur, i = 0; s && i < 20; i++) {
    meta = { ...((s as unknown as { meta(): FieldMeta | undefined }).meta?.() ?? {}), ...meta };
    const d = defOf(s);
    s = d.innerType ?? (d.type === "pipe" ? d.in : undefined);
  }
  return { meta, schema: unwrap(cur) };
}

function valueAt(body: unknown, path: readonly Segment[]): { found: boolean; value: unknown } {
  let cur: unknown = body;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, seg as string)) return { found: false, value: undefined };
    cur = (cur as Record<Segment, unknown>)[seg];
  }
  return { found: true, value: cur };
}

/** "0.5 is out of range; allowed: 0..2" (bounds from the schema, ">0" for an exclusive one). */
function rangeMessage(value: unknown, schema: Schema | undefined): string {
  const s = schema as { minValue?: number | null; maxValue?: number | null } | undefined;
  const bag = (schema?._zod as { bag?: { exclusiveMinimum?: number } } | undefined)?.bag;
  const safe = (n: number | null | undefined) => (n != null && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
  const min = safe(s?.minValue);
  const max = safe(s?.maxValue);
  const low = min === undefined ? undefined : bag?.exclusiveMinimum !== undefined ? `>${min}` : String(min);
  const allowed = low !== undefined && max !== undefined ? `${low}..${max}` : low !== undefined ? `>= ${low}` : max !== undefined ? `<= ${max}` : "a smaller number";
  return `${showValue(value)} is out of range; allowed: ${allowed}`;
}

/** For a union, the branch's issues that got furthest (a type mismatch of the union value itself is the shallowest). */
function bestBranch(errors: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  let best: readonly Issue[] | undefined;
  let depth = -1;
  for (const branch of errors) {
    const first = branch[0];
    if (!first) continue;
    const d = first.code === "invalid_type" && first.path.length === 0 ? 0 : first.path.length + 1;
    if (d > depth) {
      best = branch;
      depth = d;
    }
  }
  return depth > 0 ? best : undefined;
}

/** The first issue of a failed parse as a BodyIssue. */
export function describeIssue(issue: Issue, root: Schema, body: unknown, prefix: readonly Segment[] = []): BodyIssue {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union") {
    const discriminator = (issue as { note?: string; discriminator?: string; options?: unknown[] }).discriminator;
    if (discriminator !== undefined) {
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      // zod may already end the path at the discriminator.
      const at = path[path.length - 1] === discriminator ? path : [...path, discriminator];
      const { found, value } = valueAt(body, at);
      const message = found ? `${showValue(value)} is not supported; use one of: ${options.join(", ")}` : `is required (one of: ${options.join(", ")})`;
      return { field: jsonPath(at), message, reason: found ? "INVALID_VALUE" : "MISSING" };
    }
    const branch = bestBranch(issue.errors);
    if (branch?.[0]) return describeIssue(branch[0], root, body, path);
  }
  const field = jsonPath(path);
  const { meta, schema } = metaAt(root, path);
  const { found, value } = valueAt(body, path);
  switch (issue.code) {
    case "invalid_type":
    case "invalid_union": {
      if (!found || value === undefined) return { field, message: `is required${meta.hint ? ` (${meta.hint})` : ""}`, reason: "MISSING" };
      const expected = (issue.code === "invalid_type" && ZOD_EXPECTED[issue.expected]) || "a different type";
      if (issue.code === "invalid_type" && issue.expected === "int" && typeof value === "number" && Number.isFinite(value) && Number.isInteger(value)) {
        return { field, message: rangeMessage(value, schema), reason: "INVALID_VALUE" };
      }
      return { field, message: `expected ${meta.expected ?? expected}, got ${kindOf(value)}`, reason: "INVALID_TYPE" };
    }
    case "invalid_value":
      return { field, message: `${showValue(value)} is not one of: ${issue.values.map(String).join(", ")}`, reason: "INVALID_VALUE" };
    case "too_small":
    case "too_big":
      if (issue.origin === "number" || issue.origin === "int") return { field, message: rangeMessage(value, schema), reason: "INVALID_VALUE" };
      return { field, message: issue.message, reason: "INVALID_VALUE" };
    default: {
      // custom checks (refine) say it all; their params may carry a reason.
      const reason = (issue as { params?: { reason?: string } }).params?.reason ?? "INVALID_VALUE";
      return { field, message: issue.message, reason };
    }
  }
}
