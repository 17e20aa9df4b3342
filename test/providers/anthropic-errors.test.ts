// Anthropic error bodies -> ConnectError: the HTTP status decides the code, the body the message.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { anthropicHttpError, describeError, streamError } from "../../server/providers/anthropic/errors.js";
import { expectError } from "./anthropic-helpers.js";

const body = (type: string, message: string) => JSON.stringify({ type: "error", error: { type, message }, request_id: "req_011abc" });

describe("anthropicHttpError", () => {
  it.each([
    [400, "invalid_request_error", Code.InvalidArgument],
    [401, "authentication_error", Code.Unauthenticated],
    [403, "permission_error", Code.PermissionDenied],
    [404, "not_found_error", Code.NotFound],
    [413, "request_too_large", Code.InvalidArgument],
    [429, "rate_limit_error", Code.ResourceExhausted],
    [500, "api_error", Code.Unavailable],
    [529, "overloaded_error", Code.Unavailable],
  ])("HTTP %i %s -> %s, naming the message, type and request id", (status, type, code) => {
    const err = anthropicHttpError("claude", status, body(type, "Something went wrong"));
    expectError(err, code, `provider "claude" answered HTTP ${status}: Something went wrong (type=${type}, request_id=req_011abc)`);
  });

  it("keeps Retry-After as metadata", () => {
    expect(anthropicHttpError("claude", 429, body("rate_limit_error", "slow down"), "7").metadata.get("retry-after")).toBe("7");
  });

  it("a body that is not Anthropic JSON is described by its text", () => {
    expect(describeError("<html>Bad Gateway</html>")).toBe("<html>Bad Gateway</html>");
    expect(describeError("")).toBe("(empty body)");
    expect(describeError('{"error":"x"}')).toBe('{"error":"x"}');
    expect(describeError(JSON.stringify({ error: { message: "only a message" } }))).toBe("only a message");
  });
});

describe("streamError", () => {
  it("maps the error type through its documented status; unknown types are Unavailable", () => {
    expect(Code[streamError("c", { type: "overloaded_error", message: "Overloaded" }).code]).toBe("Unavailable");
    expect(Code[streamError("c", { type: "not_found_error", message: "x" }).code]).toBe("NotFound");
    expectError(streamError("c", undefined), Code.Unavailable, 'provider "c" failed mid-stream: unknown error (type=api_error)');
  });
});
