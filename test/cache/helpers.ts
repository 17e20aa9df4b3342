// Builders shared by the cache tests.
import { create, type MessageInitShape } from "@bufbuild/protobuf";

import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import {
  GenerateRequestSchema,
  GenerateResponseSchema,
  GenerateStreamResponseSchema,
  type GenerateRequest,
  type GenerateResponse,
  type GenerateStreamResponse,
} from "../../gen/ts/hoosh/v1/inference_pb.js";

export function request(overrides: Partial<MessageInitShape<typeof GenerateRequestSchema>> = {}): GenerateRequest {
  return create(GenerateRequestSchema, {
    model: "gpt-4o-mini",
    messages: [
      { role: Role.SYSTEM, content: [{ part: { case: "text", value: "Be brief." } }] },
      { role: Role.USER, content: [{ part: { case: "text", value: "Hi" } }] },
    ],
    tools: [{ name: "lookup", description: "Look up", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } }],
    sampling: { temperature: 0, maxTokens: 64, stop: ["\n\n"] },
    metadata: { team: "a", env: "dev" },
    user: "u1",
    ...overrides,
  } as MessageInitShape<typeof GenerateRequestSchema>);
}

export function response(text = "Hello!"): GenerateResponse {
  return create(GenerateResponseSchema, {
    id: "gen-1",
    model: "gpt-4o-mini-2024",
    message: { role: Role.ASSISTANT, content: [{ part: { case: "text", value: text } }] },
    finishReason: 1,
    usage: { inputTokens: 10, outputTokens: 3, costUsdMicros: 42n, provider: "openai", model: "gpt-4o-mini-2024" },
  });
}

export function streamEvents(texts = ["Hel", "lo", "!"]): GenerateStreamResponse[] {
  return [
    create(GenerateStreamResponseSchema, { event: { case: "start", value: { id: "s-1", model: "m", provider: "openai" } } }),
    ...texts.map((t) => create(GenerateStreamResponseSchema, { event: { case: "text", value: { text: t } } })),
    create(GenerateStreamResponseSchema, {
      event: {
        case: "end",
        value: {
          finishReason: 1,
          usage: { inputTokens: 5, outputTokens: texts.length, costUsdMicros: 7n, provider: "openai" },
          message: { role: Role.ASSISTANT, content: [{ part: { case: "text", value: texts.join("") } }] },
        },
      },
    }),
  ];
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** A controllable upstream stream: push events, then end or fail; records whether it was aborted. */
export class ManualStream {
  private queue: GenerateStreamResponse[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private error: unknown;
  calls = 0;
  aborted = false;

  source = (signal: AbortSignal): AsyncIterable<GenerateStreamResponse> => {
    this.calls++;
    signal.addEventListener("abort", () => { this.aborted = true; this.wake(); });
    const self = this;
    return (async function* () {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const ev = self.queue.shift();
        if (ev) { yield ev; continue; }
        if (self.error !== undefined) throw self.error;
        if (self.ended) return;
        await new Promise<void>((r) => (self.waiter = r));
      }
    })();
  };

  push(...evs: GenerateStreamResponse[]): void { this.queue.push(...evs); this.wake(); }
  end(): void { this.ended = true; this.wake(); }
  fail(err: unknown): void { this.error = err; this.wake(); }
  private wake(): void { const w = this.waiter; this.waiter = undefined; w?.(); }
}

/** Lets pending promise callbacks run. */
export const tick = () => new Promise<void>((r) => setImmediate(r));
