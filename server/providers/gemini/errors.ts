// Google error bodies ({"error":{"code","message","status","details"}}) to
// ConnectError. Google's `status` is already a gRPC code name, so it is used
// as is; bodies without one fall back to the HTTP status.
import { Code, ConnectError } from "@connectrpc/connect";
import { upstreamStatusError } from "../http-errors.js";
import type { ErrorBody, GoogleError } from "./wire.js";

// A Map, not an object: upstream strings such as "constructor" must not hit prototype keys.
const CODES = new Map<string, Code>([
  ["CANCELLED", Code.Canceled],
  ["UNKNOWN", Code.Unknown],
  ["INVALID_ARGUMENT", Code.InvalidArgument],
  ["DEADLINE_EXCEEDED", Code.DeadlineExceeded],
  ["NOT_FOUND", Code.NotFound],
  ["ALREADY_EXISTS", Code.AlreadyExists],
  ["PERMISSION_DENIED", Code.PermissionDenied],
  ["RESOURCE_EXHAUSTED", Code.ResourceExhausted],
  ["FAILED_PRECONDITION", Code.FailedPrecondition],
  ["ABORTED", Code.Aborted],
  ["OUT_OF_RANGE", Code.OutOfRange],
  ["UNIMPLEMENTED", Code.Unimplemented],
  ["INTERNAL", Code.Internal],
  ["UNAVAILABLE", Code.Unavailable],
  ["DATA_LOSS", Code.DataLoss],
  ["UNAUTHENTICATED", Code.Unauthenticated],
]);

/** ErrorInfo reasons that mean the credentials are wrong, whatever the status says. */
const AUTH_REASONS = new Set(["API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED"]);

function reasonOf(e: GoogleError): string | undefined {
  const info = e.details?.find((d) => typeof d?.reason === "string");
  return info?.reason;
}

/** google.rpc.RetryInfo's retryDelay ("17s", "0.5s") as whole seconds for Retry-After. */
function retryDelayOf(e: GoogleError): string | undefined {
  const delay = e.details?.find((d) => typeof d?.retryDelay === "string")?.retryDelay;
  const seconds = delay ? Number.parseFloat(delay) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? String(Math.ceil(seconds)) : undefined;
}

function parse(body: string): GoogleError | undefined {
  try {
    const parsed = JSON.parse(body) as ErrorBody | ErrorBody[];
    // streamGenerateContent without alt=sse wraps errors in an array.
    const e = (Array.isArray(parsed) ? parsed[0] : parsed)?.error;
    return e && typeof e === "object" ? e : undefined;
  } catch {
    return undefined;
  }
}

function describe(e: GoogleError, reason: string | undefined): string {
  const extra = [e.status && `status=${e.status}`, reason && `reason=${reason}`].filter(Boolean).join(", ");
  const message = e.message || "(no message)";
  return extra ? `${message} (${extra})` : message;
}

/** A Google error object as a ConnectError; `httpStatus` is 0 for errors inside a stream. */
export function googleError(provider: string, e: GoogleError, httpStatus: number, retryAfter?: string): ConnectError {
  const reason = reasonOf(e);
  const code = reason && AUTH_REASONS.has(reason) ? Code.Unauthenticated : (e.status && CODES.get(e.status)) || undefined;
  const metadata = new Headers();
  const retry = retryAfter ?? retryDelayOf(e);
  if (retry) metadata.set("retry-after", retry);
  const where = httpStatus > 0 ? `answered HTTP ${httpStatus}` : "failed mid-stream";
  if (code !== undefined) return new ConnectError(`provider "${provider}" ${where}: ${describe(e, reason)}`, code, metadata);
  if (httpStatus > 0) return upstreamStatusError(provider, httpStatus, describe(e, reason), retry);
  return new ConnectError(`provider "${provider}" ${where}: ${describe(e, reason)}`, Code.Unavailable, metadata);
}

/** The HttpUpstream error mapper for Google. */
export function geminiHttpError(provider: string, status: number, body: string, retryAfter?: string): ConnectError {
  const e = parse(body);
  if (e) return googleError(provider, e, status, retryAfter);
  return upstreamStatusError(provider, status, body.trim().slice(0, 300) || "(empty body)", retryAfter);
}
