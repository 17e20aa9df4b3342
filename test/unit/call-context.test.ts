// callContext(): one AbortSignal, a request id and forwarded trace headers.
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { callContext } from "../../server/rpc/call-context.js";

function handlerContext(init: { requestHeader?: Record<string, string>; timeoutMs?: number } = {}) {
  return createHandlerContext({
    service: InferenceService,
    method: InferenceService.method.generate,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://127.0.0.1/hoosh.v1.InferenceService/Generate",
    ...init,
  });
}

const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener("abort", () => resolve(signal.reason), { once: true })));

describe("callContext", () => {
  it("keeps the caller's x-request-id and echoes it", () => {
    const ctx = handlerContext({ requestHeader: { "x-request-id": "req-42" } });
    const call = callContext(ctx, 60_000);
    expect(call.requestId).toBe("req-42");
    expect(ctx.responseHeader.get("x-request-id")).toBe("req-42");
  });

  it("makes up a request id when there is none", () => {
    const ctx = handlerContext();
    const call = callContext(ctx, 60_000);
    expect(call.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.responseHeader.get("x-request-id")).toBe(call.requestId);
    expect(callContext(handlerContext(), 60_000).requestId).not.toBe(call.requestId);
  });

  it("forwards traceparent and tracestate only", () => {
    const call = callContext(
      handlerContext({ requestHeader: { traceparent: "00-abc-def-01", tracestate: "k=v", authorization: "Bearer secret", cookie: "c=1" } }),
      60_000,
    );
    expect(call.forwardHeaders).toEqual({ traceparent: "00-abc-def-01", tracestate: "k=v" });
  });

  it("hoosh's own timeout aborts with DeadlineExceeded naming the limit", async () => {
    const call = callContext(handlerContext(), 1);
    const reason = await aborted(call.signal);
    expect(reason).toBeInstanceOf(ConnectError);
    expect((reason as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((reason as ConnectError).rawMessage).toBe("request exceeded the server's 1 ms timeout");
  });

  it("a client cancel keeps the client's reason", async () => {
    const ctx = handlerContext();
    const call = callContext(ctx, 60_000);
    expect(call.signal.aborted).toBe(false);
    const reason = new ConnectError("client went away", Code.Canceled);
    ctx.abort(reason);
    expect(await aborted(call.signal)).toBe(reason);
  });

  it("a client deadline (timeoutMs) aborts the call signal", async () => {
    const call = callContext(handlerContext({ timeoutMs: 1 }), 60_000);
    const reason = await aborted(call.signal);
    expect(reason).toBeInstanceOf(ConnectError);
    expect((reason as ConnectError).code).toBe(Code.DeadlineExceeded);
  });

  it("an already-aborted context gives an already-aborted signal", () => {
    const ctx = handlerContext();
    ctx.abort(new ConnectError("gone", Code.Canceled));
    const call = callContext(ctx, 60_000);
    expect(call.signal.aborted).toBe(true);
    expect((call.signal.reason as ConnectError).rawMessage).toBe("gone");
  });
});
