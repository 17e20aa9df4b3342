// startRpcCall() (core/call-builder.ts for a Connect handler): one AbortSignal, a request id,
// forwarded trace headers, and end() that stops the timer.
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startRpcCall } from "../../server/rpc/call-context.js";

const callContext = (ctx: Parameters<typeof startRpcCall>[0], ms: number) => startRpcCall(ctx, ms).call;

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

describe("startRpcCall", () => {
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

  it("end() stops hoosh's timeout: an ended call is never aborted by it", async () => {
    const started = startRpcCall(handlerContext(), 5);
    started.end();
    started.end();
    await new Promise((r) => setTimeout(r, 30));
    expect(started.call.signal.aborted).toBe(false);
  });

  it("end() detaches from the handler's signal", () => {
    const ctx = handlerContext();
    const started = startRpcCall(ctx, 60_000);
    started.end();
    ctx.abort(new ConnectError("late", Code.Canceled));
    expect(started.call.signal.aborted).toBe(false);
  });

  it("reads the budget-pool header and leaves the key out when auth is off", () => {
    const call = callContext(handlerContext({ requestHeader: { "x-hoosh-budget-pool": "team-a" } }), 60_000);
    expect(call.budgetPool).toBe("team-a");
    expect(call.key).toBeUndefined();
    expect(call.stats).toEqual({ provider: "", attempts: 0, upstreamMs: 0 });
  });

  it("an already-aborted context gives an already-aborted signal", () => {
    const ctx = handlerContext();
    ctx.abort(new ConnectError("gone", Code.Canceled));
    const call = callContext(ctx, 60_000);
    expect(call.signal.aborted).toBe(true);
    expect((call.signal.reason as ConnectError).rawMessage).toBe("gone");
  });
});
