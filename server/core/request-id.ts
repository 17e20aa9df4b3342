// The one request-id rule of every edge (gRPC/Connect/gRPC-Web, REST transcoding,
// OpenAI and Anthropic REST): a caller's x-request-id is echoed, logged and
// forwarded upstream only when it is 1..128 visible ASCII characters (no spaces,
// no control or non-ASCII characters); anything else gets a fresh id instead.
import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";
const VALID = /^[\x21-\x7e]{1,128}$/;

/** True when `id` may be used as given. */
export function isValidRequestId(id: string): boolean {
  return VALID.test(id);
}

/** The caller's id when valid, else a new one from `fresh` (default: a random UUID). */
export function requestIdOf(given: string | null | undefined, fresh: () => string = randomUUID): string {
  return given && VALID.test(given) ? given : fresh();
}
