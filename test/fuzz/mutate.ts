// Mutations of a JSON document: replace, delete or add a value at a random path, with hostile values.
import fc from "fast-check";

/** Nested arrays/objects `depth` levels deep, as JSON.parse would build them. */
export function deep(depth: number, kind: "array" | "object"): unknown {
  const text = kind === "array" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  return JSON.parse(text);
}

/** Values that do not fit: wrong types, huge strings, unicode, deep nesting, extreme numbers. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 0.5, 1e308, -1e308, 2 ** 32, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, "", " ", "function", "tool", "user"),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.nat(200_000).map((n) => "x".repeat(n)),
  fc.constantFrom("\u0000", "\ud800", "😀".repeat(40), "data:image/png;base64,", "data:image/png;base64,!!!", "__proto__", "constructor"),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  fc.constantFrom(10, 1_000, 5_000).chain((d) => fc.constantFrom(deep(d, "array"), deep(d, "object"))),
);

type Step = { op: "set" | "delete" | "add"; path: number[]; key: string; value: unknown };

const step: fc.Arbitrary<Step> = fc.record({
  op: fc.constantFrom("set", "set", "set", "delete", "add"),
  path: fc.array(fc.nat(), { maxLength: 8 }),
  key: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "constructor", "toString", "type", "role", "content", "name")),
  value: hostile,
});

/** Walks `path` (each number picks a child modulo the count) and applies the step there. */
function apply(doc: unknown, s: Step): unknown {
  const root = { v: doc } as Record<string, unknown>;
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number = "v";
  for (const n of s.path) {
    const cur: unknown = (parent as Record<string | number, unknown>)[key];
    if (cur === null || typeof cur !== "object") break;
    const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    parent = cur as Record<string, unknown>;
    key = keys[n % keys.length]!;
  }
  const target: unknown = (parent as Record<string | number, unknown>)[key];
  if (s.op === "set") (parent as Record<string | number, unknown>)[key] = s.value;
  else if (s.op === "delete" && parent !== root) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, unknown>)[key];
  } else if (s.op === "add" && target !== null && typeof target === "object") {
    if (Array.isArray(target)) target.push(s.value);
    else Object.defineProperty(target, s.key, { value: s.value, enumerable: true, writable: true, configurable: true });
  }
  return root.v;
}

/** A fresh copy of `valid` (as JSON.parse builds it) with 1..4 mutations applied. */
export const mutated = (valid: unknown): fc.Arbitrary<unknown> =>
  fc.array(step, { minLength: 1, maxLength: 4 }).map((steps) => steps.reduce(apply, JSON.parse(JSON.stringify(valid)) as unknown));
