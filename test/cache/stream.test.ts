import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";

import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ResponseCache } from "../../server/core/cache/response-cache.js";
import { collect, ManualStream, request, streamEvents, tick } from "./helpers.js";

const newCache = () => new ResponseCache({ mode: "deterministic", defaultTtlSeconds: 60, maxTtlSeconds: 600, maxBytes: 1 << 20 });
const live = () => new AbortController().signal;
const fromArray = (events: GenerateStreamResponse[]) => async function* () { yield* events; };
const endOf = (evs: GenerateStreamResponse[]) => { const e = evs[evs.length - 1]!.event; if (e.case !== "end") throw new Error("no end"); return e.value; };

describe("ResponseCache streams", () => {
  it("records a whole stream and replays it exactly, marked as a hit", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    let calls = 0;
    const up = () => { calls++; return fromArray(streamEvents())(); };
    const first = await collect(cache.generateStream(plan, live(), up));
    expect(first).toEqual(streamEvents());
    const replay = await collect(cache.generateStream(plan, live(), up));
    expect(calls).toBe(1);
    expect(replay.length).toBe(first.length);
    expect(replay.slice(0, -1)).toEqual(first.slice(0, -1));
    expect(replay[0]!.event).toMatchObject({ case: "start", value: { provider: "openai" } });
    const end = endOf(replay);
    expect(end.usage).toMatchObject({ cacheHit: true, costUsdMicros: 0n, inputTokens: 5, outputTokens: 3, provider: "openai" });
    expect({ ...end, usage: undefined }).toEqual({ ...endOf(first), usage: undefined });
    expect(endOf(first).usage).toMatchObject({ cacheHit: false, costUsdMicros: 7n });
  });

  it("does not store a stream that errors, is cancelled or has no end event", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const failing = async function* () { yield streamEvents()[0]!; throw new ConnectError("reset", Code.Unavailable); };
    await expect(collect(cache.generateStream(plan, live(), failing))).rejects.toMatchObject({ code: Code.Unavailable });
    expect(cache.stats().entries).toBe(0);

    const noEnd = fromArray(streamEvents().slice(0, -1));
    await collect(cache.generateStream(plan, live(), noEnd));
    expect(cache.stats().entries).toBe(0);

    const up = new ManualStream();
    const it = cache.generateStream(plan, live(), up.source);
    up.push(...streamEvents().slice(0, 2));
    await it.next();
    await it.return(undefined); // the client goes away mid-stream
    await tick();
    expect(up.aborted).toBe(true);
    up.push(streamEvents().at(-1)!);
    await tick();
    expect(cache.stats().entries).toBe(0);

    // no_cache path (not shared) records too, and still refuses a cancelled stream.
    const own = cache.plan(request({ cache: { noCache: true } }))!;
    const it2 = cache.generateStream(own, live(), fromArray(streamEvents()));
    await it2.next();
    await it2.return(undefined);
    expect(cache.stats().entries).toBe(0);
    await collect(cache.generateStream(own, live(), fromArray(streamEvents())));
    expect(cache.stats().entries).toBe(1);
  });

  it("fans out one upstream stream to a late joiner: events so far, then live ones", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const up = new ManualStream();
    const events = streamEvents(["a", "b", "c", "d"]);
    const leader = collect(cache.generateStream(plan, live(), up.source));
    up.push(events[0]!, events[1]!, events[2]!);
    await tick();
    const late = collect(cache.generateStream(plan, live(), up.source));
    await tick();
    up.push(...events.slice(3));
    up.end();
    const [a, b] = await Promise.all([leader, late]);
    expect(up.calls).toBe(1);
    expect(a).toEqual(events);
    expect(b.slice(0, -1)).toEqual(events.slice(0, -1));
    expect(endOf(b).usage).toMatchObject({ cacheHit: true, costUsdMicros: 0n, outputTokens: 4 });
    expect(endOf(a).usage).toMatchObject({ cacheHit: false, costUsdMicros: 7n });
    expect(cache.stats()).toMatchObject({ coalesced: 1, entries: 1 });
  });

  it("a cancelled leader does not end followers; the stream is still stored", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const up = new ManualStream();
    const events = streamEvents();
    const leaderCtl = new AbortController();
    const leader = collect(cache.generateStream(plan, leaderCtl.signal, up.source));
    up.push(events[0]!);
    await tick();
    const follower = collect(cache.generateStream(plan, live(), up.source));
    await tick();
    leaderCtl.abort();
    await expect(leader).rejects.toMatchObject({ code: Code.Canceled });
    expect(up.aborted).toBe(false);
    up.push(...events.slice(1));
    up.end();
    const got = await follower;
    expect(got.slice(0, -1)).toEqual(events.slice(0, -1));
    expect(up.calls).toBe(1);
    expect(cache.stats().entries).toBe(1);
  });

  it("aborts upstream when every subscriber has left, and a new request starts afresh", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const up = new ManualStream();
    const a = new AbortController();
    const b = new AbortController();
    const pa = collect(cache.generateStream(plan, a.signal, up.source));
    const pb = collect(cache.generateStream(plan, b.signal, up.source));
    up.push(streamEvents()[0]!);
    await tick();
    a.abort();
    b.abort();
    await Promise.allSettled([pa, pb]);
    await tick();
    expect(up.aborted).toBe(true);
    const again = await collect(cache.generateStream(plan, live(), fromArray(streamEvents())));
    expect(again).toEqual(streamEvents());
    expect(cache.stats().entries).toBe(1);
  });

  it("an upstream error reaches every subscriber", async () => {
    const cache = newCache();
    const plan = cache.plan(request())!;
    const up = new ManualStream();
    const pa = collect(cache.generateStream(plan, live(), up.source));
    const pb = collect(cache.generateStream(plan, live(), up.source));
    up.push(streamEvents()[0]!);
    await tick();
    up.fail(new ConnectError("down", Code.Unavailable));
    await expect(pa).rejects.toMatchObject({ code: Code.Unavailable });
    await expect(pb).rejects.toMatchObject({ code: Code.Unavailable });
    expect(up.calls).toBe(1);
    expect(cache.stats().entries).toBe(0);
  });
});
