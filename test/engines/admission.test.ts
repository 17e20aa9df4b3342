// Admission and lifecycle of a local model: the bounded queue, cancellation (generation stops
// at once), idle unload and reload, loading at startup.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { caught, expectError } from "../unit/helpers.js";
import { call, chat, useTestProviders } from "./helpers.js";

const provider = useTestProviders();

/** A generation that runs for a while (until aborted, on the generated model). */
const long = () => chat("Once upon a time", { maxTokens: 1500, temperature: 1, seed: 1n });

describe("queue", () => {
  it("max_queue = 1, sequences = 1: of 3 concurrent generations the third is refused with ResourceExhausted", async () => {
    const p = provider("context_size = 2048, sequences = 1, max_queue = 1");
    const ctl = new AbortController();
    const settled = [long(), long(), long()].map((req) =>
      p.generate(req, call(ctl.signal)).then(
        () => "ok",
        (err: unknown) => err,
      ),
    );
    const third = await settled[2];
    expect(third).toBeInstanceOf(Error);
    expectError(third as never, Code.ResourceExhausted, 'local model "stories" is busy: its request queue is full (1 waiting, max_queue = 1)');
    ctl.abort();
    for (const r of await Promise.all(settled.slice(0, 2))) {
      if (r !== "ok") expect((r as { code: Code }).code).toBe(Code.Canceled);
    }
  });

  it("a waiting request runs when the sequence frees up", async () => {
    const p = provider("sequences = 1, max_queue = 4");
    const results = await Promise.all([1n, 2n, 3n].map((seed) => p.generate(chat("Tom", { maxTokens: 12, seed }), call())));
    for (const r of results) expect(r.usage!.outputTokens).toBeGreaterThan(0);
  });

  it("a waiting request that is cancelled leaves the queue at once", async () => {
    const p = provider("context_size = 2048, sequences = 1, max_queue = 1");
    const first = new AbortController();
    const running = p.generate(long(), call(first.signal)).catch((err: unknown) => err);
    const second = new AbortController();
    const waiting = p.generate(long(), call(second.signal));
    second.abort();
    expectError(await caught(() => waiting), Code.Canceled, "the request was cancelled");
    // Its place in the queue is free again.
    const third = new AbortController();
    const next = p.generate(long(), call(third.signal)).catch((err: unknown) => err);
    first.abort();
    third.abort();
    await Promise.all([running, next]);
  });
});

describe("parallel sequences", () => {
  it("sequences = 4, max_queue = 0: four streams generate at once on the one loaded model, none waits", async () => {
    const p = provider("context_size = 2048, sequences = 4, max_queue = 0");
    const ctl = new AbortController();
    const firsts: number[] = [];
    let lastFirst = 0;
    const streams = [1n, 2n, 3n, 4n].map(async (seed) => {
      let first = 0;
      for await (const ev of p.generateStream(chat("Once upon a time", { maxTokens: 1500, temperature: 1, seed }), call(ctl.signal))) {
        if (ev.event.case === "text" && first === 0) {
          first = performance.now();
          firsts.push(first);
          lastFirst = Math.max(lastFirst, first);
          // Every stream has had a token while all four were still running: none queued behind another.
          if (firsts.length === 4) ctl.abort();
        }
      }
    });
    const outcomes = await Promise.allSettled(streams);
    expect(firsts.length).toBe(4);
    for (const o of outcomes) if (o.status === "rejected") expect((o.reason as { code: Code }).code).toBe(Code.Canceled);
  });

  it("a cancelled request frees its sequence at once for the next", async () => {
    const p = provider("context_size = 2048, sequences = 1, max_queue = 0");
    const first = new AbortController();
    const running = p.generate(long(), call(first.signal)).catch((err: unknown) => err);
    // Busy and no queue: refused.
    expectError(await caught(() => p.generate(long(), call())), Code.ResourceExhausted, 'local model "stories" is busy: its request queue is full (0 waiting, max_queue = 0)');
    first.abort();
    expectError((await running) as never, Code.Canceled, "the request was cancelled");
    // The sequence is free the moment the cancelled call settles.
    const next = await p.generate(chat("Tom", { maxTokens: 4, seed: 1n }), call());
    expect(next.usage!.outputTokens).toBeGreaterThan(0);
  });
});

describe("cancellation", () => {
  // Causal, not timed (a busy 2-core machine can delay any wall-clock bound): no token reaches the
  // caller after the abort, the call ends Canceled instead of running its 1,500 tokens, and the
  // sequence is free for the next request. The time it took is printed.
  it("aborting a stream stops generation: no token after the abort, Canceled, the sequence free again", async () => {
    const p = provider("context_size = 2048");
    const ctl = new AbortController();
    let abortedAt = 0;
    let afterAbort = 0;
    let texts = 0;
    const err = await caught(async () => {
      for await (const ev of p.generateStream(long(), call(ctl.signal)) as AsyncIterable<GenerateStreamResponse>) {
        if (abortedAt) afterAbort++;
        if (ev.event.case === "text" && ++texts === 5) {
          abortedAt = performance.now();
          ctl.abort();
        }
      }
    });
    const settledMs = performance.now() - abortedAt;
    expect(Code[err.code]).toBe("Canceled");
    expect(afterAbort).toBe(0);
    console.log(`stream settled ${settledMs.toFixed(1)} ms after the abort`);
    // The engine is free again right away (the sequence was released).
    const r = await p.generate(chat("Tom", { maxTokens: 4 }), call());
    expect(r.usage!.outputTokens).toBeGreaterThan(0);
  });

  it("aborting Generate settles the call Canceled, long before its 1,500 tokens", async () => {
    const p = provider("context_size = 2048");
    await p.generate(chat("warm up", { maxTokens: 2 }), call()); // load first: loading is not what is timed
    const ctl = new AbortController();
    const pending = caught(() => p.generate(long(), call(ctl.signal)));
    await new Promise((r) => setTimeout(r, 30));
    const abortedAt = performance.now();
    ctl.abort();
    const err = await pending;
    console.log(`Generate settled ${(performance.now() - abortedAt).toFixed(1)} ms after the abort`);
    expect(Code[err.code]).toBe("Canceled");
    // Settled by the abort, not by finishing: the engine takes the next request at once.
    const r = await p.generate(chat("Tom", { maxTokens: 4 }), call());
    expect(r.usage!.outputTokens).toBeGreaterThan(0);
  });
});

describe("load and unload", () => {
  it("load = first-use loads on the first request; idle_unload_ms frees the model, the next request loads it again", async () => {
    const p = provider("idle_unload_ms = 50");
    expect(p.engine.isLoaded).toBe(false);
    await p.generate(chat("Tom", { maxTokens: 3 }), call());
    expect(p.engine.isLoaded).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(p.engine.isLoaded).toBe(false);
    const r = await p.generate(chat("Tom", { maxTokens: 3 }), call());
    expect(r.usage!.outputTokens).toBeGreaterThan(0);
  });

  it('load = "startup" loads before any request', async () => {
    const p = provider('load = "startup"');
    const until = performance.now() + 10_000;
    while (!p.engine.isLoaded && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(p.engine.isLoaded).toBe(true);
  });

  it("a closed provider refuses new requests with Unavailable", async () => {
    const p = provider("");
    await p.close();
    expectError(await caught(() => p.generate(chat("Tom"), call())), Code.Unavailable, 'local model "stories" is shutting down');
  });
});
