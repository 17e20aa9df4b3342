// JSON text of a value that came from outside (a request body, an upstream answer). JSON.parse
// accepts nesting deeper than JSON.stringify can recurse through (a RangeError, an internal
// crash): the caller says which error that is for it.
export function jsonText(value: unknown, tooDeep: () => Error): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep();
    throw err;
  }
}
