// Slots (admission of one local model) and the default thread count, without a model.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { defaultThreads } from "../../server/engines/llm/threads.js";
import { Slots } from "../../server/engines/llm/slots.js";
import { caught, expectError } from "../unit/helpers.js";

const live = () => new AbortController().signal;

describe("Slots", () => {
  it("hands out free slots at once, then queues in FIFO order up to max_queue", async () => {
    const slots = new Slots("m", 2, 2);
    expect(await slots.acquire(live())).toBe(0);
    expect(await slots.acquire(live())).toBe(1);
    const order: number[] = [];
    const a = slots.acquire(live()).then((s) => order.push(s));
    const b = slots.acquire(live()).then((s) => order.push(s));
    expect(slots.waiting).toBe(2);
    slots.release(1);
    slots.release(0);
    await Promise.all([a, b]);
    expect(order).toEqual([1, 0]);
  });

  it("a full queue → ResourceExhausted naming the model and the queue size", async () => {
    const slots = new Slots("gemma3-270m", 1, 1);
    await slots.acquire(live());
    void slots.acquire(live());
    const err = await caught(() => slots.acquire(live()));
    expectError(err, Code.ResourceExhausted, 'local model "gemma3-270m" is busy: its request queue is full (1 waiting, max_queue = 1); retry later');
  });

  it("max_queue = 0 refuses whenever every slot is busy", async () => {
    const slots = new Slots("m", 1, 0);
    await slots.acquire(live());
    expect((await caught(() => slots.acquire(live()))).code).toBe(Code.ResourceExhausted);
  });

  it("a cancelled waiter leaves the queue; its reason is kept when it is a ConnectError", async () => {
    const slots = new Slots("m", 1, 1);
    await slots.acquire(live());
    const ctl = new AbortController();
    const waiting = slots.acquire(ctl.signal);
    ctl.abort();
    expectError(await caught(() => waiting), Code.Canceled, "the request was cancelled");
    expect(slots.waiting).toBe(0);
    const deadline = new AbortController();
    const next = slots.acquire(deadline.signal);
    const { ConnectError } = await import("@connectrpc/connect");
    deadline.abort(new ConnectError("deadline exceeded", Code.DeadlineExceeded));
    expect((await caught(() => next)).code).toBe(Code.DeadlineExceeded);
  });

  it("rejectWaiting refuses everyone waiting (shutdown)", async () => {
    const slots = new Slots("m", 1, 3);
    await slots.acquire(live());
    const waiting = [slots.acquire(live()), slots.acquire(live())];
    const { ConnectError } = await import("@connectrpc/connect");
    slots.rejectWaiting(new ConnectError("closing", Code.Unavailable));
    for (const w of waiting) expect((await caught(() => w)).code).toBe(Code.Unavailable);
  });
});

describe("defaultThreads", () => {
  it("is 1 on machines with up to 2 cores, else cores - 1", () => {
    expect([1, 2, 3, 4, 16].map((c) => defaultThreads(c))).toEqual([1, 1, 2, 3, 15]);
  });
});
