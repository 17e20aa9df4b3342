// Small assertions shared by the unit tests.
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";

/** Runs fn (sync or async) and returns the ConnectError it threw; fails the test otherwise. */
export async function caught(fn: () => unknown): Promise<ConnectError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, "expected a ConnectError to be thrown").toBeInstanceOf(ConnectError);
  return thrown as ConnectError;
}

/** Same as caught() for synchronous code. */
export function caughtSync(fn: () => unknown): ConnectError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, "expected a ConnectError to be thrown").toBeInstanceOf(ConnectError);
  return thrown as ConnectError;
}

/** Asserts code and that the raw message starts with `prefix`. */
export function expectError(err: ConnectError, code: Code, prefix: string): void {
  expect(Code[err.code]).toBe(Code[code]);
  expect(err.rawMessage.slice(0, prefix.length), err.rawMessage).toBe(prefix);
}
