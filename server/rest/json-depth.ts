// How deep a REST body's objects and arrays may nest. JSON.parse takes far deeper input, but
// what walks the value recursively afterwards (JSON.stringify, protobuf-es's Struct and fromJson,
// the cache key) would overflow the stack: a 500 or a raw "Maximum call stack size exceeded"
// instead of a 400 that says what is wrong. Real tool schemas are a few levels deep.
export const MAX_JSON_DEPTH = 128;

/** Whether `value` nests objects/arrays more than MAX_JSON_DEPTH levels, walked without recursion. */
export function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth > MAX_JSON_DEPTH) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
