// JSON Schema (tool parameters, response_format.json_schema) to the OpenAPI 3.0
// subset Gemini accepts. Kept: type, format, title, description, nullable,
// enum (strings), items, properties, required, min/max bounds, pattern, anyOf.
// Local $ref/$defs are inlined (a recursive reference is cut to a plain OBJECT);
// ["x","null"] and anyOf/oneOf with {"type":"null"} become nullable; allOf is
// merged; everything else (additionalProperties, $schema, $id, examples,
// default, not, if/then/else, patternProperties, ...) is dropped, since Gemini
// rejects unknown schema fields.
import type { Schema } from "./wire.js";

type Json = Record<string, unknown>;
type GeminiType = NonNullable<Schema["type"]>;

const TYPES = new Map<string, GeminiType>([
  ["string", "STRING"],
  ["number", "NUMBER"],
  ["integer", "INTEGER"],
  ["boolean", "BOOLEAN"],
  ["array", "ARRAY"],
  ["object", "OBJECT"],
]);
/** The formats Gemini documents per type; others are rejected upstream, so dropped. */
const FORMATS: Partial<Record<GeminiType, ReadonlySet<string>>> = {
  STRING: new Set(["enum", "date-time"]),
  NUMBER: new Set(["float", "double"]),
  INTEGER: new Set(["int32", "int64"]),
};
const NUMBER_KEYS = ["minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "minimum", "maximum"] as const;
const MAX_DEPTH = 40;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface SchemaOptions {
  /** Add propertyOrdering (Gemini orders structured output alphabetically without it). */
  ordered?: boolean;
}

/** Converts one JSON Schema document; `undefined` in, `undefined` out. */
export function toGeminiSchema(schema: unknown, options: SchemaOptions = {}): Schema | undefined {
  if (!isObject(schema)) return undefined;
  return new Converter(schema, options).convert(schema, 0, []);
}

class Converter {
  constructor(
    private readonly root: Json,
    private readonly options: SchemaOptions,
  ) {}

  convert(input: unknown, depth: number, refs: string[]): Schema {
    if (!isObject(input) || depth > MAX_DEPTH) return {};
    if (typeof input.$ref === "string") return this.inline(input, input.$ref, depth, refs);
    const s = Array.isArray(input.allOf) ? this.mergeAllOf(input, refs) : input;
    const out: Schema = {};
    let nullable = s.nullable === true;

    let types = (Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type]).filter((t): t is string => typeof t === "string");
    if (types.includes("null")) {
      nullable = true;
      types = types.filter((t) => t !== "null");
    }
    const union = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
    if (union) {
      const branches = union.filter((b) => !(isObject(b) && b.type === "null"));
      if (branches.length < union.length) nullable = true;
      const converted = branches.map((b) => this.convert(b, depth + 1, refs));
      if (converted.length === 1) Object.assign(out, converted[0]);
      else if (converted.length > 1) out.anyOf = converted;
    }
    const known = types.map((t) => TYPES.get(t)).filter((t): t is GeminiType => t !== undefined);
    if (known.length === 1) out.type = known[0];
    else if (known.length > 1) out.anyOf = known.map((type) => ({ type }));

    if (typeof s.title === "string") out.title = s.title;
    if (typeof s.description === "string") out.description = s.description;
    const values = s.const !== undefined ? [s.const] : Array.isArray(s.enum) ? s.enum : undefined;
    if (values && values.length > 0 && values.every((v) => typeof v === "string")) {
      out.type ??= "STRING";
      if (out.type === "STRING") out.enum = values as string[];
    }
    if (typeof s.format === "string" && out.type && FORMATS[out.type]?.has(s.format)) out.format = s.format;
    if (typeof s.pattern === "string") out.pattern = s.pattern;
    for (const key of NUMBER_KEYS) {
      if (typeof s[key] === "number") out[key] = s[key];
    }

    const items = Array.isArray(s.items) ? s.items[0] : s.items;
    if (isObject(items)) {
      out.type ??= "ARRAY";
      out.items = this.convert(items, depth + 1, refs);
    }
    if (isObject(s.properties)) {
      out.type ??= "OBJECT";
      const declared = s.properties;
      const entries = Object.entries(declared).map(([key, value]) => [key, this.convert(value, depth + 1, refs)] as const);
      if (entries.length > 0) {
        out.properties = Object.fromEntries(entries);
        const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string" && Object.hasOwn(declared, r)) : [];
        if (required.length > 0) out.required = [...new Set(required)];
        if (this.options.ordered) out.propertyOrdering = entries.map(([key]) => key);
      }
    }
    if (nullable) out.nullable = true;
    return out;
  }

  /** Inlines a local reference; sibling keywords (e.g. description) win over the target's. */
  private inline(s: Json, ref: string, depth: number, refs: string[]): Schema {
    if (refs.includes(ref)) return typeof s.description === "string" ? { type: "OBJECT", description: s.description } : { type: "OBJECT" };
    const target = this.resolve(ref);
    const { $ref: _ref, ...siblings } = s;
    return this.convert(isObject(target) ? { ...target, ...siblings } : siblings, depth + 1, [...refs, ref]);
  }

  /** A JSON Pointer into the root document ("#/$defs/Item"); anything else resolves to nothing. */
  private resolve(ref: string): unknown {
    if (!ref.startsWith("#")) return undefined;
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split("/").slice(1)) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
      node = node[key];
    }
    return node;
  }

  /** allOf branches merged into one schema: properties and required united, other keys first wins. */
  private mergeAllOf(s: Json, refs: string[]): Json {
    const { allOf, ...rest } = s;
    const merged: Json = { ...rest };
    const properties: Json = isObject(rest.properties) ? { ...rest.properties } : {};
    const required = new Set(Array.isArray(rest.required) ? rest.required : []);
    for (const branch of allOf as unknown[]) {
      let b = branch;
      // Resolve a referenced branch first so its properties can be merged.
      for (let hops = 0; isObject(b) && typeof b.$ref === "string" && hops < 8 && !refs.includes(b.$ref); hops++) b = this.resolve(b.$ref);
      if (!isObject(b)) continue;
      if (isObject(b.properties)) Object.assign(properties, b.properties);
      if (Array.isArray(b.required)) b.required.forEach((r) => required.add(r));
      for (const [key, value] of Object.entries(b)) if (!(key in merged)) merged[key] = value;
    }
    if (Object.keys(properties).length > 0) merged.properties = properties;
    if (required.size > 0) merged.required = [...required];
    return merged;
  }
}
