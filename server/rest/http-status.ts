// The one table from an error to an HTTP status, for every REST-like surface (OpenAI, Anthropic,
// the Responses API, native /hoosh/v1 transcoding, /v1/tools, the Connect protocol's unary
// answers): gRPC codes as grpc-gateway and Connect map them, then reasons that HTTP tells apart
// within one code (a body over the size limit is 413, not 429), then the one vendor whose API
// documents its own status for a code (Anthropic: overloaded is 529). Also the headers an error
// carries over HTTP (Retry-After, Allow).
import { Code, ConnectError } from "@connectrpc/connect";
import { reasonOf } from "../core/errors.js";

const BY_CODE: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** Reasons (ErrorInfo, core/errors.ts) with an HTTP status of their own. */
export const REASONS = {
  REQUEST_TOO_LARGE: "REQUEST_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  UNKNOWN_PATH: "UNKNOWN_PATH",
} as const;

const BY_REASON: Record<string, number> = {
  [REASONS.REQUEST_TOO_LARGE]: 413,
  [REASONS.UNSUPPORTED_MEDIA_TYPE]: 415,
  [REASONS.METHOD_NOT_ALLOWED]: 405,
  [REASONS.UNKNOWN_PATH]: 404,
};

/** Whose conventions the answer follows. */
export type HttpDialect = "openai" | "anthropic" | "native";

const VENDOR: Partial<Record<HttpDialect, Partial<Record<Code, number>>>> = {
  anthropic: { [Code.Unavailable]: 529 },
};

export function httpStatusOf(err: ConnectError, dialect: HttpDialect = "native"): number {
  const reason = reasonOf(err);
  const byReason = reason === undefined ? undefined : BY_REASON[reason];
  return byReason ?? VENDOR[dialect]?.[err.code] ?? BY_CODE[err.code] ?? 500;
}

/** The HTTP status for a bare gRPC code (Connect protocol answers, logs). */
export function httpStatusOfCode(code: Code): number {
  return BY_CODE[code] ?? 500;
}

/**
 * A Retry-After value from the error's retry-after metadata (seconds or an HTTP date), or
 * undefined: only an error that knows when waiting helps carries one (an exhausted pool without a
 * period never refills, so it has none, and clients must not be told to retry it).
 */
export function retryAfterOf(err: ConnectError): string | undefined {
  const value = err.metadata.get("retry-after")?.trim() ?? "";
  const seconds = Number(value);
  if (value !== "" && Number.isFinite(seconds) && seconds >= 0) return String(Math.ceil(seconds));
  return value !== "" && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/**
 * Headers an error answer carries: Retry-After on 429/503-like answers that know one (Anthropic's
 * overloaded 529 says "1" without a hint, as Anthropic does), Allow on 405, WWW-Authenticate on 401.
 */
export function errorHeaders(err: ConnectError, status: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const after = err.code === Code.ResourceExhausted || err.code === Code.Unavailable ? retryAfterOf(err) : undefined;
  if (after !== undefined && status !== 413) headers["retry-after"] = after;
  else if (status === 529) headers["retry-after"] = "1";
  const allow = err.metadata.get("allow");
  if (status === 405 && allow) headers.allow = allow;
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="hoosh"';
  return headers;
}
