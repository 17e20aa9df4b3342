// Slots (admission of one local model) and the default thread count, without a model.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { defaultContexts, defaultThreads, layout, threadPoolSize } from "../../server/engines/llm/threads.js";
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

  it("with groups (contexts), a free slot comes from the least busy group, and a release frees its group", async () => {
    // Slot i is in group i % 2: slots 0, 2 in group 0; 1, 3 in group 1.
    const slots = new Slots("m", 4, 0, 2);
    expect(await slots.acquire(live())).toBe(0);
    expect(await slots.acquire(live())).toBe(1);
    expect(slots.inUse).toEqual([1, 1]);
    slots.release(0);
    expect(slots.inUse).toEqual([0, 1]);
    // Group 0 is idle: its slot, not slot 2 or 3 of the same load order.
    expect(await slots.acquire(live())).toBe(0);
    expect(await slots.acquire(live())).toBe(2);
    expect(await slots.acquire(live())).toBe(3);
    expect(slots.inUse).toEqual([2, 2]);
    slots.release(1);
    slots.release(3);
    expect(slots.inUse).toEqual([2, 0]);
    expect(await slots.acquire(live())).toBe(1);
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

describe("defaultThreads, defaultContexts, layout", () => {
  it("threads: 1 on machines with up to 2 cores, else cores - 1", () => {
    expect([1, 2, 3, 4, 16].map((c) => defaultThreads(c))).toEqual([1, 1, 2, 3, 15]);
  });

  it("contexts: two per core (at most one per sequence, two fewer than pool threads) on up to 2 cores, else 1", () => {
    expect([1, 2, 3, 16].map((c) => defaultContexts(4, c, 8))).toEqual([2, 4, 1, 1]);
    expect([1, 2, 3, 5, 8].map((s) => defaultContexts(s, 2, 8))).toEqual([1, 2, 3, 4, 4]);
    // libuv's default pool of 4 leaves room for two decoding contexts; a pool of 1-3 for one.
    expect([1, 2, 3, 4, 5, 6, 1024].map((pool) => defaultContexts(4, 2, pool))).toEqual([1, 1, 1, 2, 3, 4, 4]);
  });

  it("thread pool size: UV_THREADPOOL_SIZE as libuv reads it, else 4", () => {
    expect(threadPoolSize({})).toBe(4);
    expect(["8", "16", "1", "0", "abc", "", "12abc", "5000", "-3"].map((v) => threadPoolSize({ UV_THREADPOOL_SIZE: v }))).toEqual([8, 16, 1, 1, 1, 1, 12, 1024, 1024]);
  });

  it('"auto" derives, numbers are kept', () => {
    expect(layout("auto", "auto", 4, 2, 8)).toEqual([1, 4]);
    expect(layout("auto", "auto", 4, 2, 4)).toEqual([1, 2]);
    expect(layout("auto", "auto", 4, 8, 8)).toEqual([7, 1]);
    expect(layout(2, 1, 4, 2)).toEqual([2, 1]);
    expect(layout(1, 4, 4, 16)).toEqual([1, 4]);
  });
});
