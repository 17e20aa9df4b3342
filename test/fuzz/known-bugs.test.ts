// One minimal counterexample per crash class the fuzzers found, kept as regression tests: each
// must now end in events that serialise or a ConnectError / a 400 naming the field / a config
// error without the secret (fixed in stream-guard.ts, counts.ts, core/errors.ts showValue,
// ollama argumentsJson, config/load.ts path scrubbing).
import { toBinary } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import type { EventSourceMessage } from "eventsource-parser";
import { describe as suite, expect, it } from "vitest";
import { GenerateStreamResponseSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { messagesStreamEvents } from "../../server/providers/anthropic/stream.js";
import { chatStreamEvents as ollamaEvents } from "../../server/providers/ollama/stream.js";
import { chatStreamEvents as openaiEvents } from "../../server/providers/openai/stream.js";
import type { ChatResponse } from "../../server/providers/ollama/wire.js";
import { parseConfig } from "../../server/config/load.js";
import { parseRequest } from "../../server/rest/anthropic/request.js";
import { parseChatRequest } from "../../server/rest/openai/chat-request.js";
import { drain, stream } from "./helpers.js";
import { deep } from "./mutate.js";

const sse = (...datas: string[]): AsyncIterable<EventSourceMessage> => stream(datas.map((data) => ({ data, event: undefined, id: undefined })));

/** The contract: a ConnectError, or events that all serialise. */
async function expectContract(gen: AsyncIterable<GenerateStreamResponse>): Promise<void> {
  const { items, error } = await drain(gen);
  if (error !== undefined) {
    expect(error).toBeInstanceOf(ConnectError);
    return;
  }
  for (const e of items) toBinary(GenerateStreamResponseSchema, e);
}

suite("fixed: translator-trusts-chunk-shape (TypeError instead of ConnectError)", () => {
  it("openai/stream.ts:33 — a JSON null chunk", () => expectContract(openaiEvents("p", sse("null"))));
  it("openai/stream.ts:45 — delta.tool_calls not an array", () =>
    expectContract(openaiEvents("p", sse('{"choices":[{"delta":{"tool_calls":1}}]}', "[DONE]"))));
  it("openai/stream.ts:48 — a null tool_calls entry", () =>
    expectContract(openaiEvents("p", sse('{"choices":[{"delta":{"tool_calls":[null]}}]}', "[DONE]"))));
  it("anthropic/stream.ts:57 — a JSON null event", () => expectContract(messagesStreamEvents("p", sse("null"))));
  it("anthropic/stream.ts:60 — message_start without message", () =>
    expectContract(messagesStreamEvents("p", sse('{"type":"message_start"}', '{"type":"message_stop"}'))));
  it("anthropic/stream.ts:69 — content_block_start without content_block", () =>
    expectContract(messagesStreamEvents("p", sse('{"type":"content_block_start","index":0}', '{"type":"message_stop"}'))));
  it("anthropic/stream.ts:94 — content_block_delta with delta null", () =>
    expectContract(messagesStreamEvents("p", sse('{"type":"content_block_delta","index":0,"delta":null}', '{"type":"message_stop"}'))));
  it("ollama/stream.ts:32 — message.tool_calls not an array", () =>
    expectContract(ollamaEvents("p", stream([{ message: { tool_calls: true }, done: true } as unknown as ChatResponse]))));
  it("ollama/response.ts (fromToolCall) — a null tool_calls entry", () =>
    expectContract(ollamaEvents("p", stream([{ message: { tool_calls: [null] }, done: true } as unknown as ChatResponse]))));
});

suite("fixed: ollama-deep-arguments (RangeError instead of a ConnectError)", () => {
  it("ollama/response.ts (fromToolCall) — tool call arguments nested 20000 deep", () =>
    expectContract(ollamaEvents("p", stream([{ message: { tool_calls: [{ function: { name: "f", arguments: deep(20_000, "object") } }] }, done: true } as unknown as ChatResponse]))));
});

suite("fixed: unvalidated-scalars-in-events (events that cannot be serialised)", () => {
  it("openai: usage.prompt_tokens -1", () =>
    expectContract(openaiEvents("p", sse('{"choices":[{"finish_reason":"stop"}],"usage":{"prompt_tokens":-1}}'))));
  it("openai: tool call index 4294967296", () =>
    expectContract(openaiEvents("p", sse('{"choices":[{"delta":{"tool_calls":[{"index":4294967296}]},"finish_reason":"tool_calls"}]}'))));
  it("anthropic: output_tokens 0.5", () =>
    expectContract(messagesStreamEvents("p", sse('{"type":"message_start","message":{"usage":{"output_tokens":0.5}}}', '{"type":"message_stop"}'))));
  it("anthropic: cache tokens summing past uint32", () =>
    expectContract(
      messagesStreamEvents("p", sse('{"type":"message_start","message":{"usage":{"input_tokens":3000000000,"cache_read_input_tokens":3000000000}}}', '{"type":"message_stop"}')),
    ));
  it("ollama: eval_count -1", () => expectContract(ollamaEvents("p", stream([{ done: true, eval_count: -1 } as ChatResponse]))));
  it("ollama: prompt_eval_count a non-numeric string", () =>
    expectContract(ollamaEvents("p", stream([{ done: true, prompt_eval_count: "many" } as unknown as ChatResponse]))));
});

// Deep enough to overflow any default Node stack, small enough for a default max body (~100 kB).
const DEPTH = 20_000;
const user = [{ role: "user", content: "hi" }];

/** The REST contract: a result, or the edge's 400 error type. */
function expectParse(f: () => unknown, errorType: typeof ConnectError): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(errorType);
  }
}

suite("fixed: showValue-deep-json (RangeError instead of a 400)", () => {
  it("core/errors.ts:19 via anthropic/fields.ts:10 — stop_sequences[0] deeply nested", () =>
    expectParse(() => parseRequest({ model: "m", max_tokens: 1, messages: user, stop_sequences: [deep(DEPTH, "object")] }, { requireMaxTokens: true }), ConnectError));
  it("core/errors.ts:19 via anthropic blockType — a content block that is a deep array", () =>
    expectParse(() => parseRequest({ model: "m", max_tokens: 1, messages: [{ role: "user", content: [deep(DEPTH, "array")] }] }, { requireMaxTokens: true }), ConnectError));
  it("core/errors.ts:19 via openai chat-request.ts:65 — modalities deeply nested", () =>
    expectParse(() => parseChatRequest({ model: "m", messages: user, modalities: [deep(DEPTH, "array")] }), ConnectError));
});

suite("fixed: anthropic-deep-tool-input (RangeError instead of a 400)", () => {
  // Found by the mutation fuzzer in CI (seed -1958811838): an earlier assistant turn's tool_use
  // input nested deeper than JSON.stringify can recurse.
  it("anthropic/content.ts toolUse — messages[1].content[0].input nested 20000 deep", () => {
    const turns = [
      { role: "user", content: "weather?" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: deep(DEPTH, "object") }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
    ];
    let error: unknown;
    try {
      parseRequest({ model: "m", max_tokens: 1, messages: turns }, { requireMaxTokens: true });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).rawMessage).toMatch(/^messages\[1\]\.content\[0\]\.input: /);
  });
});

suite("fixed: config-path-not-scrubbed (secret shown in a ConfigError)", () => {
  // config/load.ts:39-42 scrubs secrets from each issue's message but not from its path.
  it("a line whose key is the api_key's value: the secret appears in the unknown-key path", () => {
    const secret = "sk-live-0123456789";
    const text = `${secret} = 1\n[[providers]]\nname = "o"\ntype = "openai"\nbase_url = "https://x"\napi_key = "${secret}"\nmodels = ["m"]\n`;
    let message = "";
    try {
      parseConfig(text, { source: "hoosh.toml", env: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toBe("");
    expect(message).not.toContain(secret);
  });
});
