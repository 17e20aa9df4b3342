// One error type (ConnectError with a gRPC code) for the whole process.
// These helpers keep messages uniform: they name the field, the value and what is allowed.
// A field error also carries the field structurally (google.rpc.BadRequest), and an edge error
// its reason (google.rpc.ErrorInfo): renderers read those, never parse messages, and gRPC
// callers get them as grpc-status-details-bin.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";

/** ErrorInfo.domain of hoosh's own errors. */
export const ERROR_DOMAIN = "hoosh";

/**
 * InvalidArgument naming the request field, e.g. `messages[0].role: ...`. `reason` is a short
 * machine name (INVALID_VALUE, INVALID_TYPE, MISSING, UNSUPPORTED_VALUE, UNSUPPORTED_PARAMETER).
 */
export function invalidArgument(field: string, message: string, reason = "INVALID_VALUE"): ConnectError {
  const details = [
    { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: [{ field, description: message, reason }] }) },
    { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN }) },
  ];
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument, undefined, details);
}

/** An error with a reason (ErrorInfo) a transport may show in its own way (REQUEST_TOO_LARGE → HTTP 413). */
export function reasonedError(code: Code, reason: string, message: string, metadata?: Record<string, string>): ConnectError {
  return new ConnectError(message, code, metadata, [{ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN }) }]);
}

/** The request field an error names: its BadRequest detail, else a leading "field: " (errors from elsewhere). */
export function fieldOf(err: ConnectError): string | undefined {
  const violation = err.findDetails(BadRequestSchema)[0]?.fieldViolations[0];
  if (violation) return violation.field;
  if (err.code !== Code.InvalidArgument && err.code !== Code.OutOfRange) return undefined;
  return LEADING_FIELD.exec(err.rawMessage)?.[1];
}

/** The message without its leading "field: ". */
export function descriptionOf(err: ConnectError): string {
  const violation = err.findDetails(BadRequestSchema)[0]?.fieldViolations[0];
  if (violation) return violation.description;
  const field = fieldOf(err);
  return field !== undefined && err.rawMessage.startsWith(`${field}: `) ? err.rawMessage.slice(field.length + 2) : err.rawMessage;
}

/** The ErrorInfo reason of one of hoosh's errors, if it has one. */
export function reasonOf(err: ConnectError): string | undefined {
  return err.findDetails(ErrorInfoSchema).find((i) => i.domain === ERROR_DOMAIN)?.reason;
}

const LEADING_FIELD = /^([A-Za-z_][\w.[\]"]*): /;

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
