// One error type (ConnectError with a gRPC code) for the whole process.
// These helpers keep messages uniform: they name the field, the value and what is allowed.
import { Code, ConnectError } from "@connectrpc/connect";

/** InvalidArgument naming the request field, e.g. `messages[0].role: ...`. */
export function invalidArgument(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

export function notFound(message: string): ConnectError {
  return new ConnectError(message, Code.NotFound);
}

/** Renders a value for an error message without dumping large or nested data. */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === undefined) return "(unset)";
  try {
    return JSON.stringify(value)?.slice(0, 64) ?? String(value);
  } catch {
    // Too deep (or circular) to print: say what it is instead of failing the error itself.
    return Array.isArray(value) ? "[…]" : "{…}";
  }
}

/** Errors a router may answer by trying the next provider. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ConnectError)) return false;
  return err.code === Code.Unavailable || err.code === Code.ResourceExhausted || err.code === Code.DeadlineExceeded || err.code === Code.Internal;
}
