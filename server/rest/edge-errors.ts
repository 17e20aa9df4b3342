// The errors the REST edges raise about the HTTP request itself, as ConnectErrors whose reason
// gives them their HTTP status in the one table (http-status.ts): 413, 415, 405 with Allow, 404.
import { Code, type ConnectError } from "@connectrpc/connect";
import { reasonedError } from "../core/errors.js";
import { REASONS } from "./http-status.js";

/** Over server.max_body_bytes: ResourceExhausted for gRPC's sake, 413 on every REST-like surface. */
export function tooLarge(maxBytes: number): ConnectError {
  return reasonedError(Code.ResourceExhausted, REASONS.REQUEST_TOO_LARGE, `request body is larger than the ${maxBytes} bytes allowed (server.max_body_bytes)`);
}

export function unsupportedMediaType(type: string, want: string): ConnectError {
  return reasonedError(Code.InvalidArgument, REASONS.UNSUPPORTED_MEDIA_TYPE, `content-type ${type ? JSON.stringify(type) : "(unset)"} is not supported; ${want}`);
}

export function methodNotAllowed(method: string, path: string, allowed: string): ConnectError {
  return reasonedError(Code.Unimplemented, REASONS.METHOD_NOT_ALLOWED, `method ${method} is not allowed on ${path}; use ${allowed}`, { allow: allowed });
}

export function unknownPath(method: string, path: string, served?: string): ConnectError {
  return reasonedError(Code.NotFound, REASONS.UNKNOWN_PATH, `unknown path: ${method} ${path}${served ? `; this API serves ${served}` : ""}`);
}
