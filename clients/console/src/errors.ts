// RPC errors in plain words: what went wrong and what to do, then hoosh's own message.
import { Code, ConnectError } from "@connectrpc/connect";

const WORDS: Partial<Record<Code, string>> = {
  [Code.Unauthenticated]: "The key was not accepted. Log in again with a valid key.",
  [Code.PermissionDenied]: "This key is not allowed to do this (it lacks the scope).",
  [Code.InvalidArgument]: "hoosh did not accept the request.",
  [Code.NotFound]: "Not found.",
  [Code.AlreadyExists]: "It already exists.",
  [Code.ResourceExhausted]: "A budget or rate limit was reached.",
  [Code.Unavailable]: "hoosh or the provider cannot be reached right now.",
  [Code.DeadlineExceeded]: "It took too long and was stopped.",
  [Code.Canceled]: "Cancelled.",
  [Code.Unimplemented]: "This hoosh does not offer that.",
};

export function plainError(err: unknown): string {
  const e = ConnectError.from(err);
  const words = WORDS[e.code] ?? "Something went wrong.";
  return e.rawMessage ? `${words} (${e.rawMessage})` : words;
}

export function isUnauthenticated(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Unauthenticated;
}
