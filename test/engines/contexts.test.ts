// A local model whose sequences are spread over two llama.cpp contexts (local.contexts = 2,
// what "auto" picks on a 2-core machine; server/engines/llm/threads.ts): concurrent requests land
// on both contexts and give the answers they give alone; a cancelled request frees its sequence
// (and its context's share) at once. Counts and answers only, no timing.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { GenerateRequest } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { LocalProvider } from "../../server/providers/local/client.js";
import { caught, expectError } from "../unit/helpers.js";
import { call, chat, textOf, useTestProviders } from "./helpers.js";

const provider = useTestProviders();

const PROMPTS = ["Once upon a time", "Tom and Lily", "The little dog", "One day, a girl"];
/** Greedy, so an answer depends on its prompt only. */
const greedy = (text: string, maxTokens = 24) => chat(text, { maxTokens, temperature: 0, seed: 1n });

describe("sequences spread over two contexts", () => {
  it("4 concurrent requests run two per context and all complete with the answers they give alone", async () => {
    const p = provider("contexts = 2, sequences = 4, max_queue = 0");
    const alone: string[] = [];
    for (const prompt of PROMPTS) alone.push(textOf(await collect(p, greedy(prompt))));
    expect(p.engine.model!.contexts.length).toBe(2);

    // Each text chunk notes how many requests each context holds.
    const seen = new Set<string>();
    const together = await Promise.all(PROMPTS.map((prompt) => collect(p, greedy(prompt), () => seen.add(p.engine.generating.join(",")))));
    expect(together.map(textOf)).toEqual(alone);
    for (const events of together) expect(events.at(-1)?.event.case).toBe("end");
    expect(seen).toContain("2,2");
    expect(p.engine.generating).toEqual([0, 0]);
  });

  it("a cancelled request frees its sequence at once, and the next request takes its context", async () => {
    const p = provider("contexts = 2, context_size = 2048, sequences = 2, max_queue = 0");
    const first = new AbortController();
    const second = new AbortController();
    const long = () => chat("Once upon a time", { maxTokens: 1500, temperature: 1, seed: 1n });
    let cancelled!: Promise<unknown>;
    let other!: Promise<unknown>;
    let texts = 0;
    await new Promise<void>((resolve) => {
      const onText = () => {
        if (++texts === 8) resolve(); // both have streamed text by now: both are generating
      };
      cancelled = collect(p, long(), onText, first.signal).catch((err: unknown) => err);
      other = collect(p, long(), onText, second.signal).catch((err: unknown) => err);
    });
    expect(p.engine.generating).toEqual([1, 1]);
    // Both sequences are taken and there is no queue: a third request is refused.
    expectError(await caught(() => p.generate(greedy("Tom"), call())), Code.ResourceExhausted, 'local model "stories" is busy: its request queue is full (0 waiting, max_queue = 0)');

    first.abort();
    expectError((await cancelled) as never, Code.Canceled, "the request was cancelled");
    // The moment the cancelled call settles its sequence is free, and the next request runs there.
    expect(p.engine.generating).toEqual([0, 1]);
    const during = new Set<string>();
    const next = await collect(p, greedy("Tom", 8), () => during.add(p.engine.generating.join(",")));
    expect(next.at(-1)?.event.case).toBe("end");
    expect([...during]).toEqual(["1,1"]);
    second.abort();
    expect(((await other) as { code: Code }).code).toBe(Code.Canceled);
    expect(p.engine.generating).toEqual([0, 0]);
  });
});

/** One stream's events; `onText` runs on each text chunk. */
async function collect(p: LocalProvider, req: GenerateRequest, onText?: () => void, signal?: AbortSignal) {
  const events = [];
  for await (const ev of p.generateStream(req, call(signal))) {
    if (ev.event.case === "text") onText?.();
    events.push(ev);
  }
  return events;
}
