// Foreign errors (HTTP statuses, OpenAI error JSON, socket errors) to ConnectError.
import { Code, ConnectError } from "@connectrpc/connect";
import { errors as undiciErrors } from "undici";
import { describe, expect, it } from "vitest";
import { invalidArgument, isRetryable, notFound, showValue } from "../../server/core/errors.js";
import { codeForStatus, transportError, upstreamStatusError } from "../../server/providers/http-errors.js";
import { describeError, openaiHttpError } from "../../server/providers/openai/errors.js";

describe("codeForStatus", () => {
  it.each([
    [400, Code.InvalidArgument],
    [401, Code.Unauthenticated],
    [403, Code.PermissionDenied],
    [404, Code.NotFound],
    [408, Code.DeadlineExceeded],
    [409, Code.Aborted],
    [413, Code.InvalidArgument],
    [422, Code.InvalidArgument],
    [429, Code.ResourceExhausted],
    [500, Code.Unavailable],
    [502, Code.Unavailable],
    [503, Code.Unavailable],
    [504, Code.DeadlineExceeded],
    [418, Code.Unknown],
  ])("HTTP %i → %s", (status, code) => {
    expect(Code[codeForStatus(status)]).toBe(Code[code]);
  });
});

describe("upstreamStatusError", () => {
  it("names provider, status and detail, and keeps Retry-After as metadata", () => {
    const err = upstreamStatusError("openai", 429, "Rate limit reached", "7");
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe('provider "openai" answered HTTP 429: Rate limit reached');
    expect(err.metadata.get("retry-after")).toBe("7");
  });

  it("has no retry-after without one", () => {
    expect(upstreamStatusError("openai", 503, "down").metadata.get("retry-after")).toBeNull();
  });
});

describe("describeError / openaiHttpError", () => {
  it("reads message, code and param from OpenAI JSON", () => {
    const body = JSON.stringify({ error: { message: "Invalid 'messages'.", type: "invalid_request_error", param: "messages", code: "empty_array" } });
    expect(describeError(body)).toBe("Invalid 'messages'. (code=empty_array, param=messages)");
    expect(describeError(JSON.stringify({ error: { message: "Overloaded", type: "server_error", param: null, code: null } }))).toBe("Overloaded");
    expect(describeError(JSON.stringify({ error: { message: "m", code: 1234 } }))).toBe("m (code=1234)");
  });

  it("falls back to the trimmed raw text for non-JSON or JSON without error.message", () => {
    expect(describeError("  <html>502 Bad Gateway</html>\n")).toBe("<html>502 Bad Gateway</html>");
    expect(describeError(JSON.stringify({ detail: "nope" }))).toBe('{"detail":"nope"}');
    expect(describeError("x".repeat(1000))).toHaveLength(300);
  });

  it("names an empty body", () => {
    expect(describeError("")).toBe("(empty body)");
    expect(describeError("  \n ")).toBe("(empty body)");
  });

  it("openaiHttpError combines status mapping, description and retry-after", () => {
    const err = openaiHttpError("groq", 503, JSON.stringify({ error: { message: "overloaded" } }), "2");
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe('provider "groq" answered HTTP 503: overloaded');
    expect(err.metadata.get("retry-after")).toBe("2");
  });
});

describe("transportError", () => {
  const live = () => new AbortController().signal;

  it("passes a ConnectError through unchanged", () => {
    const original = new ConnectError("x", Code.ResourceExhausted);
    expect(transportError("p", original, live())).toBe(original);
  });

  it("an aborted signal with a ConnectError reason keeps that reason", () => {
    const reason = new ConnectError("request exceeded the server's 100 ms timeout", Code.DeadlineExceeded);
    const ac = new AbortController();
    ac.abort(reason);
    expect(transportError("p", new DOMException("aborted", "AbortError"), ac.signal)).toBe(reason);
  });

  it("a plain abort → Canceled", () => {
    const ac = new AbortController();
    ac.abort();
    const err = transportError("openai", new undiciErrors.RequestAbortedError(), ac.signal);
    expect(err.code).toBe(Code.Canceled);
    expect(err.rawMessage).toBe('request to provider "openai" was cancelled');
  });

  it("UND_ERR_HEADERS_TIMEOUT (and the other undici timeouts) → DeadlineExceeded", () => {
    const headers = transportError("openai", new undiciErrors.HeadersTimeoutError(), live());
    expect(headers.code).toBe(Code.DeadlineExceeded);
    expect(headers.rawMessage).toContain('provider "openai" timed out (UND_ERR_HEADERS_TIMEOUT)');
    expect(transportError("p", new undiciErrors.BodyTimeoutError(), live()).code).toBe(Code.DeadlineExceeded);
    expect(transportError("p", new undiciErrors.ConnectTimeoutError(), live()).code).toBe(Code.DeadlineExceeded);
  });

  it("ECONNREFUSED → Unavailable naming the code", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const err = transportError("local", refused, live());
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe('provider "local" is unreachable: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9');
  });

  it("non-Error values → Unavailable", () => {
    const err = transportError("p", "boom", live());
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe('provider "p" is unreachable: boom');
  });
});

describe("core errors", () => {
  it("invalidArgument prefixes the field; notFound keeps the message", () => {
    const err = invalidArgument("sampling.top_p", "bad");
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("sampling.top_p: bad");
    expect(notFound("gone").code).toBe(Code.NotFound);
  });

  it("showValue renders short, bounded values", () => {
    expect(showValue("abc")).toBe('"abc"');
    expect(showValue("x".repeat(100))).toBe(JSON.stringify(`${"x".repeat(61)}...`));
    expect(showValue(1.5)).toBe("1.5");
    expect(showValue(true)).toBe("true");
    expect(showValue(10n)).toBe("10");
    expect(showValue(undefined)).toBe("(unset)");
    expect(showValue({ a: "y".repeat(100) })).toHaveLength(64);
  });

  it("isRetryable: Unavailable, ResourceExhausted, DeadlineExceeded, Internal only", () => {
    const retryable = [Code.Unavailable, Code.ResourceExhausted, Code.DeadlineExceeded, Code.Internal];
    for (const code of [Code.Canceled, Code.Unknown, Code.InvalidArgument, Code.NotFound, Code.AlreadyExists, Code.PermissionDenied, Code.FailedPrecondition, Code.Aborted, Code.OutOfRange, Code.Unimplemented, Code.DataLoss, Code.Unauthenticated, ...retryable]) {
      expect(isRetryable(new ConnectError("x", code)), Code[code]).toBe(retryable.includes(code));
    }
    expect(isRetryable(new Error("plain"))).toBe(false);
  });
});
