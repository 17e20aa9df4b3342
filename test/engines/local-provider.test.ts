// The local provider in-process, on a real GGUF (stories260K beside the project, or a generated
// zero-weight model when it is absent): generation, streaming, stop sequences, seeds, grammars,
// embeddings, token counts and bad input.
import type { JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FinishReason, ResponseFormat_Type, Role, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { readGgufFile } from "../../server/hardware/gguf.js";
import type { LocalProvider } from "../../server/providers/local/client.js";
import { caught, expectError } from "../unit/helpers.js";
import { call, chat, localProvider, removeGenerated, requireRealModel, testModel, textOf } from "./helpers.js";

let model: string;
let provider: LocalProvider;

beforeAll(() => {
  model = testModel();
  provider = localProvider(model);
});

afterAll(async () => {
  await provider?.close();
  removeGenerated();
});

const textOfResponse = (r: Awaited<ReturnType<LocalProvider["generate"]>>) =>
  r.message?.content.map((p) => (p.part.case === "text" ? p.part.value : "")).join("") ?? "";

describe("Generate", () => {
  it("answers with text, a finish reason and real token counts", async () => {
    const r = await provider.generate(chat("Once upon a time", { maxTokens: 24, seed: 7n }), call());
    expect(r.model).toBe("stories");
    expect(r.message?.role).toBe(Role.ASSISTANT);
    expect(textOfResponse(r).length).toBeGreaterThan(0);
    expect([FinishReason.STOP, FinishReason.LENGTH]).toContain(r.finishReason);
    expect(r.usage!.outputTokens).toBeGreaterThan(0);
    expect(r.usage!.outputTokens).toBeLessThanOrEqual(24);
    if (r.finishReason === FinishReason.LENGTH) expect(r.usage!.outputTokens).toBe(24);
    // The prompt rendered through the chat template is longer than the four words typed.
    expect(r.usage!.inputTokens).toBeGreaterThan(4);
  });

  it("counts a repeated prompt's reused KV cache as cached input", async () => {
    const req = chat("Tom had a red ball", { maxTokens: 8, seed: 1n });
    const first = await provider.generate(req, call());
    const again = await provider.generate(req, call());
    expect(again.usage!.inputTokens).toBe(first.usage!.inputTokens);
    expect(again.usage!.cachedInputTokens).toBeGreaterThan(0);
    expect(again.usage!.cachedInputTokens).toBeLessThanOrEqual(again.usage!.inputTokens);
  });

  it("writes English words (stories260K)", async () => {
    requireRealModel();
    const r = await provider.generate(chat("Once upon a time", { maxTokens: 40, temperature: 0 }), call());
    expect(textOfResponse(r)).toMatch(/\b(the|a|and|was|to|for|your|it|is|she|he)\b/i);
  });
});

describe("GenerateStream", () => {
  it("delivers tokens as they are generated, then the end with usage", async () => {
    const events: { at: number; ev: GenerateStreamResponse }[] = [];
    for await (const ev of provider.generateStream(chat("Once upon a time", { maxTokens: 120, seed: 3n }), call())) {
      events.push({ at: performance.now(), ev });
    }
    const cases = events.map((e) => e.ev.event.case);
    expect(cases[0]).toBe("start");
    expect(cases.at(-1)).toBe("end");
    const texts = events.filter((e) => e.ev.event.case === "text");
    expect(texts.length).toBeGreaterThan(10);
    // Incremental: the first text arrives well before the last.
    expect(texts.at(-1)!.at - texts[0]!.at).toBeGreaterThan(0);
    const end = events.at(-1)!.ev.event;
    expect(end.case === "end" && end.value.usage!.outputTokens).toBeGreaterThan(10);
  });

  it("streams the same text Generate returns for the same seed", async () => {
    const req = chat("The cat", { maxTokens: 30, seed: 11n });
    const whole = textOfResponse(await provider.generate(req, call()));
    const events: GenerateStreamResponse[] = [];
    for await (const ev of provider.generateStream(req, call())) events.push(ev);
    expect(textOf(events)).toBe(whole);
  });
});

describe("sampling", () => {
  it("the same seed gives the same text; another seed another text", async () => {
    const a = textOfResponse(await provider.generate(chat("Lily went", { maxTokens: 30, temperature: 1, seed: 42n }), call()));
    const b = textOfResponse(await provider.generate(chat("Lily went", { maxTokens: 30, temperature: 1, seed: 42n }), call()));
    const c = textOfResponse(await provider.generate(chat("Lily went", { maxTokens: 30, temperature: 1, seed: 43n }), call()));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it("a stop sequence ends the text right before it, with finish STOP", async () => {
    const req = chat("Once upon a time", { maxTokens: 60, seed: 5n });
    const full = textOfResponse(await provider.generate(req, call()));
    const stop = full.slice(20, 23);
    const at = full.indexOf(stop);
    expect(stop.length).toBe(3);
    const r = await provider.generate(chat("Once upon a time", { maxTokens: 60, seed: 5n, stop: [stop] }), call());
    expect(textOfResponse(r)).toBe(full.slice(0, at));
    expect(r.finishReason).toBe(FinishReason.STOP);
  });
});

describe("structured output", () => {
  const schema: JsonObject = {
    type: "object",
    properties: { mood: { enum: ["happy", "sad"] }, count: { type: "integer" }, done: { type: "boolean" } },
    required: ["mood", "count", "done"],
  };

  it("TYPE_JSON_SCHEMA output parses and matches the schema", async () => {
    for (const seed of [1n, 2n, 3n]) {
      const r = await provider.generate(
        chat("Once upon a time", { maxTokens: 200, seed }, { responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, jsonSchema: schema } }),
        call(),
      );
      const value = JSON.parse(textOfResponse(r)) as Record<string, unknown>;
      expect(Object.keys(value).sort()).toEqual(["count", "done", "mood"]);
      expect(["happy", "sad"]).toContain(value.mood);
      // node-llama-cpp's integer grammar admits exponents ("586e6214900"): a JSON number, not always an exact integer.
      expect(typeof value.count).toBe("number");
      expect(typeof value.done).toBe("boolean");
    }
  });

  it("string fields are filled with the model's own text (stories260K)", async () => {
    requireRealModel();
    const r = await provider.generate(
      chat("Once upon a time", { maxTokens: 200, seed: 9n }, {
        responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, jsonSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } },
      }),
      call(),
    );
    expect(typeof (JSON.parse(textOfResponse(r)) as { name: unknown }).name).toBe("string");
  });

  it("TYPE_JSON_OBJECT output is JSON from its first character", async () => {
    const r = await provider.generate(chat("Once upon a time", { maxTokens: 30, seed: 4n }, { responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), call());
    expect(textOfResponse(r).trimStart()).toMatch(/^[{["\-0-9tfn]/);
  });
});

describe("tools", () => {
  it("a request with tools runs through function calling (the model may answer in text)", async () => {
    const tools = [{ name: "get_time", description: "The current time" }];
    const r = await provider.generate(chat("What time is it?", { maxTokens: 20, seed: 2n }, { tools }), call());
    expect([FinishReason.STOP, FinishReason.LENGTH, FinishReason.TOOL_CALLS]).toContain(r.finishReason);
    // The tool's documentation is part of the rendered prompt.
    const plain = await provider.generate(chat("What time is it?", { maxTokens: 1, seed: 2n }), call());
    expect(r.usage!.inputTokens).toBeGreaterThan(plain.usage!.inputTokens);
  });
});

describe("embeddings", () => {
  it("one vector per input with the model's dimension, and token usage", async () => {
    const dims = (await readGgufFile(model)).embeddingLength!;
    const res = await provider.embed({ model: "stories", inputs: ["a little dog", "the sun"] } as never, call());
    expect(res.embeddings.map((e) => e.index)).toEqual([0, 1]);
    for (const e of res.embeddings) expect(e.values).toHaveLength(dims);
    expect(res.usage!.inputTokens).toBeGreaterThan(2);
    const err = await caught(() => provider.embed({ model: "stories", inputs: ["x"], dimensions: dims + 1 } as never, call()));
    expectError(err, Code.InvalidArgument, `dimensions: ${dims + 1} is not available`);
  });
});

describe("bad input", () => {
  it("temperature outside the engine's range → InvalidArgument naming the field", async () => {
    const err = await caught(() => provider.generate(chat("hi", { temperature: 5 }), call()));
    expectError(err, Code.InvalidArgument, "sampling.temperature: 5 is out of the local engine's range; allowed: 0..2");
  });

  it("max_tokens beyond the context size → InvalidArgument", async () => {
    const err = await caught(() => provider.generate(chat("hi", { maxTokens: 5000 }), call()));
    expectError(err, Code.InvalidArgument, 'sampling.max_tokens: 5000 exceeds the context size of local model "stories" (1024 tokens');
  });

  it("a prompt longer than the context → InvalidArgument on messages", async () => {
    const err = await caught(() => provider.generate(chat("once upon a time ".repeat(400), { maxTokens: 10 }), call()));
    expectError(err, Code.InvalidArgument, "messages: the prompt has ");
    expect(err.rawMessage).toContain('tokens and does not fit the context of local model "stories" (1024 tokens per sequence, local.context_size)');
  });

  it("image parts → InvalidArgument naming the part", async () => {
    const req = chat("hi");
    req.messages[0]!.content.push({ part: { case: "image", value: { source: { case: "url", value: "https://x/y.png" } } } } as never);
    const err = await caught(() => provider.generate(req, call()));
    expectError(err, Code.InvalidArgument, 'messages[0].content[1]: image parts are not supported by local model "stories"');
  });

  it("tool_choice REQUIRED → FailedPrecondition naming the model", async () => {
    const req = chat("hi", {}, { tools: [{ name: "get_time" }] as never, toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.REQUIRED } } as never });
    const err = await caught(() => provider.generate(req, call()));
    expectError(err, Code.FailedPrecondition, 'tool_choice: local model "stories" cannot be forced to call a tool');
  });
});
