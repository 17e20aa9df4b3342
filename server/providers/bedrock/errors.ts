// Bedrock errors to ConnectError: the exception type (x-amzn-ErrorType header
// on HTTP errors, :exception-type on stream frames) decides the code; the
// status is the fallback. Throttling is RESOURCE_EXHAUSTED.
import type { IncomingHttpHeaders } from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeForStatus } from "../http-errors.js";
import type { ErrorBody } from "./wire.js";

// A Map, not an object: upstream strings such as "constructor" must not hit prototype keys.
const CODES = new Map<string, Code>([
  ["ThrottlingException", Code.ResourceExhausted],
  ["ServiceQuotaExceededException", Code.ResourceExhausted],
  ["ModelNotReadyException", Code.Unavailable],
  ["ServiceUnavailableException", Code.Unavailable],
  ["InternalServerException", Code.Unavailable],
  ["ModelErrorException", Code.Unavailable],
  ["ModelStreamErrorException", Code.Unavailable],
  ["ModelTimeoutException", Code.DeadlineExceeded],
  ["ValidationException", Code.InvalidArgument],
  ["AccessDeniedException", Code.PermissionDenied],
  ["ResourceNotFoundException", Code.NotFound],
  ["UnrecognizedClientException", Code.Unauthenticated],
  ["InvalidSignatureException", Code.Unauthenticated],
  ["IncompleteSignatureException", Code.Unauthenticated],
  ["MissingAuthenticationTokenException", Code.Unauthenticated],
  ["ExpiredTokenException", Code.Unauthenticated],
]);

/** "ThrottlingException:http://internal.amazon.com/coral/..." or "throttlingException" -> "ThrottlingException". */
export function exceptionName(raw: string | undefined): string | undefined {
  const name = raw?.split(":", 1)[0]?.split("#").pop()?.trim();
  return name ? name[0]!.toUpperCase() + name.slice(1) : undefined;
}

function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as ErrorBody;
    const message = parsed.message ?? parsed.Message;
    if (typeof message === "string" && message) return message;
  } catch {
    // Not JSON: the raw text is shown instead.
  }
  return body.trim().slice(0, 300) || "(empty body)";
}

function typeOf(body: string, headers: IncomingHttpHeaders | undefined): string | undefined {
  const header = headers?.["x-amzn-errortype"];
  if (header) return exceptionName(Array.isArray(header) ? header[0] : header);
  try {
    return exceptionName((JSON.parse(body) as ErrorBody).__type);
  } catch {
    return undefined;
  }
}

/** The HttpUpstream error mapper for Bedrock. */
export function bedrockHttpError(provider: string, status: number, body: string, retryAfter?: string, headers?: IncomingHttpHeaders): ConnectError {
  const type = typeOf(body, headers);
  const code = (type ? CODES.get(type) : undefined) ?? codeForStatus(status);
  const metadata = new Headers();
  if (retryAfter) metadata.set("retry-after", retryAfter);
  return new ConnectError(`provider "${provider}" answered HTTP ${status}: ${messageOf(body)}${type ? ` (${type})` : ""}`, code, metadata);
}

/** An exception frame inside a ConverseStream. */
export function streamException(provider: string, exceptionType: string | undefined, body: string): ConnectError {
  const type = exceptionName(exceptionType) ?? "InternalServerException";
  return new ConnectError(`provider "${provider}" failed mid-stream: ${messageOf(body)} (${type})`, CODES.get(type) ?? Code.Unavailable);
}
