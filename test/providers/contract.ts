// The provider contract: what every HTTP provider adapter must do end to end,
// through a real hoosh process and the provider's fake upstream. Each
// provider's e2e test runs it with its own fixture (models that script the
// faults on its fake, and how to see the fake's side of a cancel).
//   - Generate: the fake's echo, STOP, usage with input and output tokens;
//   - GenerateStream: start, text deltas, one end whose text is the same answer;
//   - tools: a tool call (streamed), then the tool result in a second turn;
//   - errors: throttling RESOURCE_EXHAUSTED, unknown model NOT_FOUND, overload UNAVAILABLE,
//     each message naming the provider;
//   - cancellation: a client cancel mid-stream closes the upstream request.
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse, InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";

export interface ContractFixture {
  client: () => Client<typeof InferenceService>;
  /** The provider's name in hoosh.toml (errors must name it). */
  provider: string;
  /** A chat model that answers normally, and one that supports tools (often the same). */
  chatModel: string;
  toolModel: string;
  /** Scripted on the fake: throttling, an unknown model, an overloaded upstream; a stream that runs for a minute. */
  models: { throttled: string; notFound: string; unavailable: string; longStream: string };
  /** Resolves when the fake saw the client of a request for `model` go away (ms since epoch). */
  closedAt: (model: string) => Promise<number>;
}

const text = (value: string) => [{ part: { case: "text" as const, value } }];
const WEATHER = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

export async function rejection(run: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await run();
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

export function providerContract(f: ContractFixture): void {
  it("contract: Generate answers with the fake's echo, STOP and usage", async () => {
    const res = await f.client().generate({ model: f.chatModel, messages: [{ role: Role.USER, content: text("hello contract") }] });
    expect(res.message?.content[0]?.part.value).toBe("echo: hello contract");
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage?.provider).toBe(f.provider);
    expect(res.usage?.inputTokens).toBeGreaterThan(0);
    expect(res.usage?.outputTokens).toBeGreaterThan(0);
  });

  it("contract: GenerateStream sends start, text deltas and one end with the same answer", async () => {
    const events: GenerateStreamResponse["event"][] = [];
    for await (const res of f.client().generateStream({ model: f.chatModel, messages: [{ role: Role.USER, content: text("stream these words please") }] })) events.push(res.event);
    expect(events[0]?.case).toBe("start");
    const end = events.at(-1);
    if (end?.case !== "end") throw new Error(`last event is ${end?.case}`);
    const deltas = events.filter((e) => e.case === "text").map((e) => (e.case === "text" ? e.value.text : ""));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("echo: stream these words please");
    expect(end.value.finishReason).toBe(FinishReason.STOP);
    expect(end.value.usage?.outputTokens).toBeGreaterThan(0);
  });

  it("contract: a streamed tool call, then the tool result in a second turn", async () => {
    const events: GenerateStreamResponse["event"][] = [];
    const ask = { role: Role.USER, content: text("please call tool") };
    for await (const res of f.client().generateStream({ model: f.toolModel, messages: [ask], tools: [WEATHER] })) events.push(res.event);
    const end = events.at(-1);
    if (end?.case !== "end") throw new Error(`last event is ${end?.case}`);
    expect(end.value.finishReason).toBe(FinishReason.TOOL_CALLS);
    const calls = end.value.message?.toolCalls ?? [];
    expect(calls).toHaveLength(1);
    expect(calls[0]!.name).toBe("get_weather");
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ city: expect.any(String) });
    expect(calls[0]!.id).not.toBe("");
    const second = await f.client().generate({
      model: f.toolModel,
      tools: [WEATHER],
      messages: [ask, { role: Role.ASSISTANT, toolCalls: calls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a })) }, { role: Role.TOOL, toolCallId: calls[0]!.id, content: text("sunny") }],
    });
    expect(second.finishReason).toBe(FinishReason.STOP);
    expect(second.message?.toolCalls).toHaveLength(0);
    expect(second.message?.content[0]?.part.value).not.toBe("");
  });

  it("contract: upstream errors keep their meaning (throttled, not found, unavailable)", async () => {
    const cases: [string, Code][] = [
      [f.models.throttled, Code.ResourceExhausted],
      [f.models.notFound, Code.NotFound],
      [f.models.unavailable, Code.Unavailable],
    ];
    for (const [model, code] of cases) {
      const err = await rejection(() => f.client().generate({ model, messages: [{ role: Role.USER, content: text("x") }] }));
      expect(Code[err.code], `${model}: ${err.rawMessage}`).toBe(Code[code]);
      expect(err.rawMessage).toContain(`provider "${f.provider}"`);
    }
  });

  it("contract: a client cancel mid-stream closes the upstream request", async () => {
    const abort = new AbortController();
    let abortedAt = 0;
    let texts = 0;
    const err = await rejection(async () => {
      for await (const res of f.client().generateStream({ model: f.models.longStream, messages: [{ role: Role.USER, content: text("go") }] }, { signal: abort.signal })) {
        if (res.event.case === "text" && ++texts === 5) {
          abortedAt = Date.now();
          abort.abort();
        }
      }
    });
    expect(Code[err.code]).toBe(Code[Code.Canceled]);
    const closed = await f.closedAt(f.models.longStream);
    // The stream would run for a minute: the upstream saw the cancel, not the end.
    expect(closed - abortedAt).toBeLessThan(5_000);
  });
}
