// Load shedding (core/admission.ts): a cap on requests in flight, a bounded FIFO queue with a
// timeout, refusals with retry-after, and the optional event-loop-delay bound.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Admission } from "../../server/core/admission.js";

const signal = () => new AbortController().signal;
const refusal = async (p: Promise<unknown>): Promise<ConnectError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
};

afterEach(() => {
  vi.useRealTimers();
});

describe("Admission", () => {
  it("admits up to max_in_flight, queues the rest in order, refuses past max_queued with retry-after", async () => {
    const a = new Admission({ maxInFlight: 2, maxQueued: 2, queueTimeoutMs: 60_000, maxEventLoopDelayMs: 0 });
    const first = await a.enter(signal());
    const second = await a.enter(signal());
    const order: string[] = [];
    const third = a.enter(signal()).then((exit) => (order.push("third"), exit));
    const fourth = a.enter(signal()).then((exit) => (order.push("fourth"), exit));
    expect(a.load).toMatchObject({ inFlight: 2, queued: 2 });
    const err = await refusal(a.enter(signal()));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe("server overloaded: 2 requests in flight (server.max_in_flight) and 2 waiting (server.max_queued); retry later");
    expect(err.metadata.get("retry-after")).toBe("1");
    first();
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual(["third", "fourth"]);
    expect(a.load).toMatchObject({ inFlight: 0, queued: 0 });
    // A newcomer never overtakes a waiter: with one waiting, it queues too.
    a.close();
  });

  it("a queued request gives up after queue_timeout_ms (429) or when its caller leaves, and frees its place", async () => {
    vi.useFakeTimers();
    const a = new Admission({ maxInFlight: 1, maxQueued: 5, queueTimeoutMs: 100, maxEventLoopDelayMs: 0 });
    const exit = await a.enter(signal());
    const waited = refusal(a.enter(signal()));
    await vi.advanceTimersByTimeAsync(100);
    const err = await waited;
    expect([err.code, err.rawMessage]).toEqual([Code.ResourceExhausted, "server overloaded: no slot within server.queue_timeout_ms (100 ms); 1 requests in flight; retry later"]);
    const caller = new AbortController();
    const left = refusal(a.enter(caller.signal));
    caller.abort(new ConnectError("the client disconnected", Code.Canceled));
    expect((await left).code).toBe(Code.Canceled);
    expect(a.load).toMatchObject({ inFlight: 1, queued: 0 });
    exit();
    expect(a.load).toMatchObject({ inFlight: 0, queued: 0 });
    a.close();
  });

  it("while the event loop runs later than max_event_loop_delay_ms, new requests are UNAVAILABLE with retry-after", async () => {
    const a = new Admission({ maxInFlight: 100, maxQueued: 0, queueTimeoutMs: 1000, maxEventLoopDelayMs: 30 });
    (await a.enter(signal()))();
    // Keep the loop busy for a while: the sampling timer fires late.
    for (let i = 0; i < 5; i++) {
      const until = performance.now() + 120;
      while (performance.now() < until) {
        /* busy */
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(a.load.eventLoopDelayMs).toBeGreaterThan(30);
    const err = await refusal(a.enter(signal()));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/^server overloaded: the event loop is \d+ ms late \(server.max_event_loop_delay_ms = 30\); retry later$/);
    expect(err.metadata.get("retry-after")).toBe("1");
    // Once the loop keeps time again, requests are admitted.
    await vi.waitFor(async () => (await a.enter(signal()))(), { timeout: 10_000, interval: 50 });
    a.close();
  });
});
